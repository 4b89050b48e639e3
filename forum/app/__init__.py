"""The application: ``create_app`` builds the forum for a ``Settings``.

``factory`` holds ``create_app`` (plugins, middleware, providers, stores, lifespan), ``routes``
the list of controllers, ``wiring`` the hooks and the personal-data registry that let lower
layers hear from higher ones.
"""

from forum.app.factory import create_app
from forum.app.wiring import user_data_registry

__all__ = ["create_app", "user_data_registry"]
