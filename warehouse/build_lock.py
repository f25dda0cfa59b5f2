"""One build at a time: ``pcp build`` and ``pcp backfill`` hold an exclusive lock on
``var/build/build.lock`` (the kernel releases it if the process dies, so a killed build never leaves
it stale). A second build started meanwhile says which process holds it and does nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator

from warehouse.config import paths


class BuildRunning(Exception):
    """Another build holds the lock; ``str()`` says which process and since when."""


@contextlib.contextmanager
def exclusive() -> Iterator[None]:
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
