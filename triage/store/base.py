"""The connection every part of the store shares: opening the file safely, transactions, helpers."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from triage.errors import UserError


class StoreBase:
    """One SQLite connection; each feature's queries live in a subclass of this (triage.store.Store joins them)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if not self.path.strip():  # sqlite3 would open a temporary database that vanishes
            raise UserError("The database path is empty (from [storage] db or --db).")
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.exists():
                raise UserError(f"Database folder {parent} does not exist (from [storage] db or --db).")
            for what, p in (("file", Path(self.path)), ("folder", parent)):
                if p.exists() and not os.access(p, os.W_OK):
                    raise UserError(
                        f"Database {what} {p} is read-only for this user; the store needs to write."
                    )
            # Created private: it holds the session key (SQLite gives its -wal and -shm the same mode).
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_RDONLY, 0o600))
            except OSError as e:
                raise UserError(f"Cannot open the database {self.path}: {e.strerror}.") from None
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as e:
            raise UserError(f"{self.path} is not a usable SQLite database ({e}).") from None
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self):
        """All or nothing: a batch either lands whole or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]


def chunks(items: list, size: int = 500):
    """`items` in slices small enough for one statement's parameters."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def marks(chunk: list) -> str:
    """The `?, ?, ...` placeholders of an IN list."""
    return ",".join("?" * len(chunk))
