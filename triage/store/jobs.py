"""Jobs and what they leave: job runs, digests sent or failed, web logins and the meta values."""

from __future__ import annotations

import json

from triage.store.base import StoreBase


class JobsStore(StoreBase):
    """Runs of the scheduled jobs, the digest record and web sessions."""

    def meta_default(self, key: str, value: str) -> str:
        """The stored value of `key`, storing `value` first if there is none (race-safe)."""
        self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    # --- web sessions (50-59) -------------------------------------------------------------

    def add_web_session(self, token_hash: str, created_at: float, not_before: float) -> None:
        """Record a login, dropping sessions that expired before `not_before`."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM web_sessions WHERE created_at < ?", (not_before,))
            conn.execute(
                "INSERT INTO web_sessions (token_hash, created_at) VALUES (?, ?)", (token_hash, created_at)
            )

    def web_session_alive(self, token_hash: str, not_before: float) -> bool:
        cur = self.conn.execute(
            "SELECT 1 FROM web_sessions WHERE token_hash = ? AND created_at >= ?", (token_hash, not_before)
        )
        return cur.fetchone() is not None

    def end_web_session(self, token_hash: str) -> None:
        self.conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash,))

    # --- digest (40-49) -------------------------------------------------------------------

    def digest_record(self, day: str) -> dict | None:
        """The digests row for a day (subject, tries, last_error, message_id, sent_at), if any."""
        cur = self.conn.execute("SELECT * FROM digests WHERE day = ?", (day,))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def digest_failed(self, day: str, subject: str, error: str) -> None:
        """Count a failed send; the day stays unsent so the next run retries."""
        self.conn.execute(
            "INSERT INTO digests (day, subject, tries, last_error) VALUES (?, ?, 1, ?) "
            "ON CONFLICT(day) DO UPDATE SET subject = excluded.subject, tries = digests.tries + 1, "
            "last_error = excluded.last_error WHERE digests.sent_at IS NULL",
            (day, subject, error),
        )

    def digest_sent(self, day: str, subject: str, message_id: str, recipients: list[str]) -> None:
        """Mark the day sent, only after the SMTP server accepted the message."""
        self.conn.execute(
            "INSERT INTO digests (day, subject, tries, message_id, recipients, sent_at) "
            "VALUES (?, ?, 1, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
            "ON CONFLICT(day) DO UPDATE SET subject = excluded.subject, tries = digests.tries + 1, "
            "last_error = NULL, message_id = excluded.message_id, recipients = excluded.recipients, "
            "sent_at = excluded.sent_at",
            (day, subject, message_id, json.dumps(recipients)),
        )

    def start_job_run(self, job: str) -> int:
        return self.conn.execute("INSERT INTO job_runs (job) VALUES (?)", (job,)).lastrowid

    def finish_job_run(self, run_id: int, ok: bool, error: str | None, summary: str | None) -> None:
        self.conn.execute(
            "UPDATE job_runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ok = ?, error = ?, "
            "summary = ? WHERE id = ?",
            (int(ok), error, summary, run_id),
        )

    def close_unfinished_runs(self, job: str, error: str) -> int:
        """Mark failed the runs of `job` that never finished (their process died); the count closed."""
        cur = self.conn.execute(
            "UPDATE job_runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ok = 0, error = ? "
            "WHERE job = ? AND finished_at IS NULL",
            (error, job),
        )
        return cur.rowcount

    def job_runs(self, job: str | None = None, limit: int = 20) -> list[dict]:
        """Recent job runs, newest first (the web page shows the last error from here)."""
        cur = self.conn.execute(
            "SELECT * FROM job_runs WHERE ? IS NULL OR job = ? ORDER BY id DESC LIMIT ?", (job, job, limit)
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]
