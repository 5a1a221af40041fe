"""The `triage` command line: a thin click layer over the library.

Each command parses arguments, calls one library function and prints its result. Library
errors (triage.errors) become one sentence on stderr and exit code 2 (bad input) or 1
(operational); nothing here holds logic the web app would need.
"""

from __future__ import annotations

import sys

import click

from triage import config as config_mod
from triage.errors import TriageError, UserError
from triage.store import Store


class App:
    """What every command gets: settings, and a store opened on first use."""

    def __init__(self, config_path: str | None, db: str | None):
        self.settings = config_mod.load(config_path, db)
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.storage.db)
            self._store.require_schema()
        return self._store


class TriageGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TriageError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=TriageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="TRIAGE_CONFIG",
    type=click.Path(dir_okay=False),
    help="Path to config.toml (env TRIAGE_CONFIG). Default: ./config.toml if present.",
)
@click.option(
    "--db", envvar="TRIAGE_DB", help="SQLite database path; overrides [storage] db (env TRIAGE_DB)."
)
@click.version_option(package_name="paper-triage")
@click.pass_context
def cli(ctx, config_path, db):
    """Reading-versus-building paper triage: new arXiv papers, their fundamentals and topic
    age, locked until you log a blocked attempt at your own problem."""
    try:
        ctx.obj = App(config_path, db)
    except TriageError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(e.exit_code)


@cli.command()
@click.pass_obj
def init(app: App):
    """Create or upgrade the database (idempotent)."""
    store = Store(app.settings.storage.db)
    applied = store.init()
    if applied:
        click.echo(
            f"Database {store.path}: applied migrations {applied}; schema version {store.schema_version()}."
        )
    else:
        click.echo(f"Database {store.path} is up to date (schema version {store.schema_version()}).")


# --- sources: fetch, import, export -----------------------------------------------------


@cli.command()
@click.option("--days", type=click.IntRange(min=1), help="Fetch the last N days from the API (resumable).")
@click.option(
    "--redo",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Fetch again, from the API, the slices from DATE on that earlier runs recorded as complete.",
)
@click.option("--category", "categories", multiple=True, help="arXiv category; repeatable. Default: config.")
@click.option(
    "--source", type=click.Choice(["api", "rss"]), help="Default: rss without --days/--redo, api with them."
)
@click.pass_obj
def fetch(app: App, days, redo, categories, source):
    """Fetch new papers: today's RSS announcement, or with --days N the arXiv API for the last N
    days, split into month x category slices that are skipped once complete (--redo DATE
    fetches those from DATE on again)."""
    from tqdm import tqdm

    from triage import sources

    with tqdm(unit=" papers", desc="fetch", disable=None) as bar:
        result = sources.fetch(
            app.settings,
            app.store,
            days=days,
            categories=list(categories),
            source=source,
            on_page=bar.update,
            redo=redo.date() if redo else None,
        )
    click.echo(result.message)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "oai", "atom", "rss"]), default="auto")
@click.pass_obj
def import_(app: App, files, fmt):
    """Import papers from files (arXiv OAI snapshot JSONL, simple JSONL, API Atom, RSS); streams
    large files in batches, so a rerun after an interruption completes without duplicates.
    A simple JSONL record may name its "source" (a curated list such as trending papers): topics
    normalise each source's shares apart; papers without one are arXiv's, like fetched ones."""
    from pathlib import Path

    from tqdm import tqdm

    from triage.sources import files as files_mod

    for name in files:
        with tqdm(total=Path(name).stat().st_size, unit="B", unit_scale=True, desc=name, disable=None) as bar:
            n = files_mod.import_file(app.store, name, fmt, progress=bar.update)
        click.echo(f"{name}: {n} records imported; {app.store.count_papers()} papers in the database.")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "bibtex", "atom"]), default="jsonl")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only papers published on or after DATE.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Output file (default stdout).")
@click.pass_obj
def export(app: App, fmt, since, out):
    """Export papers with hype, topic, fundamentals and lock state as JSONL, BibTeX or Atom."""
    from triage import export as export_mod

    since_iso = since.date().isoformat() if since else None
    try:
        f = click.open_file(out or "-", "w", encoding="utf-8")
    except OSError as e:
        raise UserError(f"Cannot write {out}: {e.strerror}.") from None
    with f:
        n = export_mod.write(app.store, f, fmt, since_iso)
    if out:
        click.echo(f"Wrote {n} papers to {out}.", err=True)


# --- analysis: analyze, eval ------------------------------------------------------------


@cli.command("analyze")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Give verdicts as they would have been on this date (later papers ignored). "
    "Default: the newest announcement day held.",
)
@click.option("--all", "all_", is_flag=True, help="Redo every paper, not only new or changed ones.")
@click.pass_obj
def analyze_cmd(app: App, as_of, all_):
    """Compute topics and hype over the whole history (titles), then embed the recent papers'
    abstracts and link them to the fundamentals they rest on. Incremental: unchanged papers are
    skipped; --all redoes them."""
    from triage.analyze import analyze

    report = analyze(app.store, app.settings, as_of=as_of.date().isoformat() if as_of else None, all=all_)
    for line in report.lines():
        click.echo(line)


@cli.command()
@click.option("--limit", default=30, show_default=True, help="Show at most this many topics.")
@click.option("--all", "show_all", is_flag=True, help="Also list topics whose share never rose.")
@click.pass_obj
def topics(app: App, limit: int, show_all: bool):
    """The topic radar from the last analyze: youngest topics first, with onset, age and hype."""
    rows = [t for t in app.store.topics() if show_all or t["onset"]]
    if not rows:
        click.echo("No topics with an onset yet: run `triage analyze` first (or pass --all).")
        return
    from triage.topics import age_text

    click.echo(f"{'hype':<7} {'onset':<8} {'age':>13} {'papers':>6}  label")
    for t in rows[:limit]:
        hype = {True: "HYPE", False: "-", None: "?"}[t["hype"]]
        age = age_text(t["onset"], t["age_days"]) if t["onset"] else ""
        click.echo(f"{hype:<7} {t['onset'] or '':<8} {age:>13} {t['size']:>6}  {t['label']}")


# --- gate: attempt, queue ---------------------------------------------------------------


@cli.command()
@click.option("--problem", required=True, help="The problem you are working on.")
@click.option("--tried", required=True, help="What you tried.")
@click.option(
    "--bottleneck",
    required=True,
    help="Where exactly you are blocked (specific; minimum length from config).",
)
@click.option("--evidence", help="Optional link to the code or notebook of the attempt.")
@click.pass_obj
def attempt(app: App, problem, tried, bottleneck, evidence):
    """Log a blocked attempt; prints the papers it unlocked and the fundamentals to revisit first."""
    from triage import gate
    from triage.embed import Embedder

    result = gate.log_attempt(
        app.store,
        Embedder(app.settings.embeddings, app.store),
        app.settings,
        problem,
        tried,
        bottleneck,
        evidence,
    )
    click.echo(f"Attempt {result.attempt_id} logged.")
    click.echo("Revisit first: " + "; ".join(f"{f.name} ({f.year})" for f, _ in result.revisit))
    if not result.unlocked:
        click.echo(
            f"No papers unlocked: none are held from the last {app.settings.gate.recent_days} days. "
            "Run `triage fetch` first."
        )
    elif result.weak:
        click.echo(
            "Nothing held clearly fits this attempt; the closest are unlocked anyway, as weak matches."
        )
    for i, u in enumerate(result.unlocked, 1):
        click.echo(f"{i}. [{u.paper.id}] {u.paper.title}\n   why: {u.reason}")


@cli.command("queue")
@click.option(
    "--state",
    type=click.Choice(["queued", "read", "all"]),
    default="queued",
    show_default=True,
    help="Which part of the queue to list.",
)
@click.pass_obj
def queue_cmd(app: App, state):
    """List the reading queue: unlocked papers with the reason each was unlocked."""
    from triage import gate

    rows = gate.queue(app.store, state)
    b = gate.budget(app.store, app.settings)
    click.echo(f"Read today: {b['read']} of {b['budget']}" + (" - enough for today." if b["enough"] else "."))
    if not rows:
        click.echo("The queue is empty: log an attempt with `triage attempt` to unlock papers.")
    for r in rows:
        mark = "read" if r["read_at"] else "queued"
        click.echo(f"[{mark}] {r['paper_id']} {r['paper'].title}\n   why: {r['reason']}")


# --- digest and daily job: digest, daily --------------------------------------------------


@cli.command("digest")
@click.option("--date", "day", help="Announcement day YYYY-MM-DD. Default: the newest day held.")
@click.option("--send", is_flag=True, help="Send by SMTP to [digest] to (once per day).")
@click.option(
    "--out", type=click.Path(file_okay=False), help="Write digest-DATE.eml into this folder instead."
)
@click.pass_obj
def digest_cmd(app: App, day, send, out):
    """Compose the day's digest email; send it by SMTP or write it as an .eml file."""
    import datetime as dt

    from triage import digest
    from triage.errors import UserError

    if send == bool(out):
        raise UserError("Give exactly one of --send or --out DIR.")
    if day is not None:
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise UserError(f"--date {day!r} is not a date YYYY-MM-DD.") from None
    day = day or app.store.latest_day()
    if day is None:
        raise UserError("No papers are held yet: run `triage fetch` first.")
    if out:
        path = digest.write_eml(app.settings, digest.compose(app.store, app.settings, day), out)
        click.echo(f"Wrote the digest of {day} to {path}.")
        return
    message_id = digest.deliver(app.store, app.settings, day)
    if message_id is None:
        click.echo(f"The digest of {day} was sent already; nothing sent.")
    else:
        click.echo(f"Sent the digest of {day} to {', '.join(app.settings.digest.to)} ({message_id}).")


@cli.command()
@click.pass_obj
def daily(app: App):
    """Fetch, analyze and send the digest: the daily job, for cron. Exits 1 without doing
    anything while another daily job runs on the same database."""
    from triage.errors import OperationalError
    from triage.pipeline import run_daily

    report = run_daily(app.store, app.settings, log=click.echo)
    if report.outcome == "busy":
        raise OperationalError(
            f"Another daily job ({report.holder}) is running on {app.store.path}; this run did nothing."
        )


# --- web: serve -------------------------------------------------------------------------


@cli.command()
@click.option(
    "--host", help="Bind address (default [web] host, 127.0.0.1). Beyond loopback needs TRIAGE_WEB_PASSWORD."
)
@click.option("--port", type=int, help="Port (default [web] port).")
@click.option(
    "--no-schedule", is_flag=True, help="Do not run the daily job at [digest] send_at inside the server."
)
@click.pass_obj
def serve(app: App, host, port, no_schedule):
    """Serve the web app (daily page, attempts, reading queue) with waitress, and run the daily job
    (fetch, analyze, digest) every day at [digest] send_at."""
    from web import create_app
    from web.server import check_bind
    from web.server import serve as run

    host = host or app.settings.web.host
    port = port or app.settings.web.port
    check_bind(host)
    click.echo(f"Serving {app.settings.storage.db} on http://{host}:{port}/ (Ctrl-C to stop).")
    run(create_app({"SETTINGS": app.settings}), host, port, schedule=not no_schedule)


def main():
    cli(prog_name="triage")
