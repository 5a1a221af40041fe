"""A named lease in the database, so one job runs at a time across threads and processes.

`triage serve`'s scheduler and a cron `triage daily` share the database, not memory, so the
lock lives there: a row with an expiry. While its holder lives, a heartbeat pushes the expiry
forward every quarter lease, so a first run that takes hours keeps the job; a crashed holder
stops beating and its lease runs out within one lease instead of blocking the job for ever. A
finished holder deletes its row at once.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager

from triage.store import Store

logger = logging.getLogger("triage.lock")


@contextmanager
def hold(store, name: str, seconds: float):
    """Yield True while holding lease `name` (renewed every seconds / 4), or False when someone else holds it."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"
    now = time.time()
    taken = store.acquire_lock(name, holder, now, now + seconds)
    if not taken:
        yield False
        return
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(store, name, holder, seconds, stop), daemon=True)
    beat.start()
    try:
        yield True
    finally:
        stop.set()
        beat.join()
        store.release_lock(name, holder)


def _heartbeat(store, name: str, holder: str, seconds: float, stop: threading.Event) -> None:
    """Renew the lease from a connection of its own: the holder's may be inside a long write."""
    own = Store(store.path) if store.path != ":memory:" else store
    try:
        while not stop.wait(seconds / 4):
            try:
                if not own.renew_lock(name, holder, time.time() + seconds):
                    logger.warning("Lease %r was taken over by another run; this run keeps going.", name)
                    return
            except sqlite3.OperationalError as e:  # busy past the timeout: try again next beat
                logger.warning("Could not renew lease %r (%s); retrying.", name, e)
    finally:
        if own is not store:
            own.close()
