"""Writing output files so that a failure never leaves a half-written file behind."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

from .errors import InputError

T = TypeVar("T")


def atomic_write(path: Path, write: Callable[[BinaryIO], T]) -> T:
    """Write through a temporary file in the same folder, renamed into place only when complete, and only over
    nothing or a regular file: a device, a folder or a socket at the path is refused, never replaced."""
    if path.exists() and not path.is_file():
        kind = "folder" if path.is_dir() else "device or special file"
        raise InputError(f"cannot write {path}: it is a {kind}, not a regular file; give a file name (or - for "
                         "standard output where the command offers it)")
    if not path.parent.exists():
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise written_error(path, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            result = write(stream)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise written_error(path, error) from None
        raise
    return result


# Errors of the place the user named (exit 2), as opposed to the machine failing (a full disk: exit 1).
PATH_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ENOTDIR, errno.ENOENT, errno.ENAMETOOLONG}


def written_error(path: Path, error: OSError) -> Exception:
    """One line for a file that cannot be written; nothing half-written is left behind."""
    from .errors import StoreError

    message = f"cannot write {path}: {error.strerror or error}; nothing was written"
    return InputError(message) if error.errno in PATH_ERRORS else StoreError(message)
