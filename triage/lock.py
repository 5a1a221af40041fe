"""A named lease in the database, so one job runs at a time across threads and processes.

`triage serve`'s scheduler and a cron `triage daily` share the database, not memory, so the
lock lives there: a row with an expiry. A crashed holder's lease runs out instead of blocking
the job for ever; a finished holder deletes its row at once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager


@contextmanager
def hold(store, name: str, seconds: float):
    """Yield True while holding lease `name` for at most `seconds`, or False when someone else holds it."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"
    now = time.time()
    taken = store.acquire_lock(name, holder, now, now + seconds)
    try:
        yield taken
    finally:
        if taken:
            store.release_lock(name, holder)
