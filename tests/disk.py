"""A small real file system that can be filled: a tmpfs mounted for one test (needs root; skipped otherwise).

Full-disk tests need the kernel's own ENOSPC, which SQLite turns into SQLITE_FULL. A tmpfs of a few
MiB is mounted on a fresh directory, filled to the last byte by ``fill``, emptied by ``free``, and
unmounted in a ``finally`` whatever the test did.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = "filler.bin"


@contextlib.contextmanager
def small_disk(directory: Path, size_mib: int = 8) -> Iterator[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(directory)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs for the full-disk test (needs root): {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        if subprocess.run(["umount", str(directory)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def fill(disk: Path) -> None:
    """Write a file until the file system refuses a single byte more."""
    fd = os.open(disk / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1):
            block = b"\0" * size
            while True:
                try:
                    if os.write(fd, block) < size:
                        break
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0


def free(disk: Path) -> None:
    (disk / FILLER).unlink(missing_ok=True)
