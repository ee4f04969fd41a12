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


# The largest case, query or document normgraph reads whole; tables are read line by line, at any size.
MAX_TEXT_BYTES = 64 * 1024 * 1024


def regular_file(path: Path) -> Path:
    """The path, if it names a regular file: a FIFO, a device (/dev/zero) or a folder would block or never end."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device, a pipe or a socket)"
        raise InputError(f"cannot read {path}: it is {kind}; give a file")
    return path


def read_text(path: Path, what: str = "file") -> str:
    """A regular file's text, UTF-8, up to MAX_TEXT_BYTES; any other file is one line naming the problem."""
    regular_file(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(f"cannot read {path}: a {what} is at most {MAX_TEXT_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"cannot read {path}: it is not UTF-8 text (byte {error.start})") from None
