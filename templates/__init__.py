"""Jinja2 templates: one folder per module. Shipped inside the package as ``forum.templates``
(see [tool.setuptools] in pyproject.toml), so an installed forum finds them."""
