"""One job at a time across threads and processes: an OS file lock beside the database.

`triage serve`'s scheduler and a cron `triage daily` share the database, not memory. The lock
is flock(2) on `<db>.<name>.lock`; the kernel drops it the moment its holder's process ends,
however it ends (kill -9 included), so a crashed run never blocks the next one and there is no
expiry to wait out. flock belongs to an open file, so two threads of one process exclude each
other too. The file names its holder (host, pid, start) for the message a refused run prints.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from triage.errors import UserError


@dataclass
class Held:
    """Truthy when this caller got the lock; otherwise `holder` says who has it."""

    ok: bool
    holder: str = ""

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def hold(store, name: str) -> Iterator[Held]:
    """Yield Held(True) while holding lock `name` of the store's database, Held(False, holder) if taken."""
    path = f"{store.path}.{name}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise UserError(f"Cannot create the lock file {path} ({e.strerror}).") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield Held(False, _read(fd) or "another process")
            return
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}".encode(), 0)
        try:
            yield Held(True)
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read(fd: int) -> str:
    return os.pread(fd, 200, 0).decode(errors="replace").strip()
