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


@cli.command("analyze")
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Analyze as if today were this date."
)
@click.option("--all", "all_", is_flag=True, help="Redo every paper, not only new or changed ones.")
@click.pass_obj
def analyze_cmd(app: App, as_of, all_):
    """Embed papers, link them to fundamentals, compute topics and hype."""
    from triage.analyze import analyze

    report = analyze(app.store, app.settings, as_of=as_of.date().isoformat() if as_of else None, all=all_)
    for line in report.lines():
        click.echo(line)


# --- gate: attempt, queue ---------------------------------------------------------------


# --- digest and daily job: digest, daily --------------------------------------------------


# --- web: serve -------------------------------------------------------------------------


def main():
    cli(prog_name="triage")
