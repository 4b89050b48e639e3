"""The file system ``/static/`` is served from: a name the operating system cannot even look
up (a NUL byte, a component over 255 bytes, a path over PATH_MAX) is simply not there."""

from __future__ import annotations

from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types import PathType
from litestar.types.file_types import FileInfo


class StaticFileSystem(BaseLocalFileSystem):
    """Litestar's local file system, answering 404 instead of 500 for impossible names."""

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        try:
            return await super().info(path, **kwargs)
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as exc:  # ENAMETOOLONG, ENOTDIR, EACCES, embedded NUL
            raise FileNotFoundError(type(exc).__name__) from None
