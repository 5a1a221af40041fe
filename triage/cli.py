"""The `triage` command line: a thin click layer over the library.

Each command parses arguments, calls one library function and prints its result. Library
errors (triage.errors) become one sentence on stderr and exit code 2 (bad input) or 1
(operational); nothing here holds logic the web app would need.
"""

from __future__ import annotations

import sys

import click

from triage import config as config_mod
from triage.errors import TriageError
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


# --- analysis: analyze, eval ------------------------------------------------------------


def _months(onset: str, as_of: str) -> int:
    return (int(as_of[:4]) - int(onset[:4])) * 12 + int(as_of[5:7]) - int(onset[5:7])


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
    click.echo(f"{'hype':<7} {'onset':<8} {'age':>5} {'papers':>6}  label")
    for t in rows[:limit]:
        hype = {True: "HYPE", False: "-", None: "?"}[t["hype"]]
        age = f"{_months(t['onset'], t['as_of'])}mo" if t["onset"] else ""
        click.echo(f"{hype:<7} {t['onset'] or '':<8} {age:>5} {t['size']:>6}  {t['label']}")


# --- gate: attempt, queue ---------------------------------------------------------------


# --- digest and daily job: digest, daily --------------------------------------------------


# --- web: serve -------------------------------------------------------------------------


def main():
    cli(prog_name="triage")
