"""Alembic migrations, shipped inside the package as ``forum.migrations`` (see [tool.setuptools]
in pyproject.toml), so an installed forum can upgrade its database."""
