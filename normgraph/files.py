"""Writing output files so that a failure never leaves a half-written file behind."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

from .ids import InputError

T = TypeVar("T")


def atomic_write(path: Path, write: Callable[[BinaryIO], T]) -> T:
    """Write through a temporary file in the same folder, renamed into place only when complete."""
    if not path.parent.exists():
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            result = write(stream)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result
