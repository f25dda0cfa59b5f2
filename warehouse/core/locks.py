"""Advisory file locks (flock): the kernel drops them when the holder dies, so none goes stale.

``exclusive(path)`` waits for the lock (publish, extract state). ``one_build()`` does not wait: ``pcp
build`` and ``pcp backfill`` hold ``var/build/build.lock``, and a second build started meanwhile
raises ``BuildRunning`` naming the process that holds it, and does nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from warehouse.core.config import paths


class BuildRunning(Exception):
    """Another build holds the lock; ``str()`` says which process and since when."""


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock`` (created if missing), waiting for any other holder."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def one_build() -> Iterator[None]:
    """Hold the build lock without waiting; ``BuildRunning`` if another build has it."""
    f = paths().working.parent / "build.lock"
    f.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown process"
            raise BuildRunning(f"another build is running ({holder}); this one did nothing") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"PID {os.getpid()}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
