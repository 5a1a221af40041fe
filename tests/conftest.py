"""Shared fixtures: settings and a temp database per test, the CLI runner, the model once per session.

Feature fixtures (the local arXiv server, SMTP, the web app) live in tests/support/ and are
registered here as plugins.
"""

import os

import pytest
from click.testing import CliRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from triage import config  # noqa: E402
from triage.cli import cli  # noqa: E402
from triage.store import Store  # noqa: E402

pytest_plugins: list[str] = [
    "tests.support.arxiv_server",
    "tests.support.smtp",
    "tests.support.webapp",
    "tests.support.fundamentals",
    "tests.support.topics",
]


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "triage.db")


@pytest.fixture
def settings(db_path, monkeypatch):
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    monkeypatch.delenv("TRIAGE_DB", raising=False)
    monkeypatch.chdir(os.path.dirname(db_path))
    return config.load(None, db_path)


@pytest.fixture
def store(settings):
    s = Store(settings.storage.db)
    s.init()
    yield s
    s.close()


@pytest.fixture
def runner(db_path, monkeypatch):
    """Invoke the CLI against the temp database: runner.invoke(cli, [...])."""
    monkeypatch.setenv("TRIAGE_DB", db_path)
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    monkeypatch.chdir(os.path.dirname(db_path))
    r = CliRunner()
    r.cli = cli
    return r
