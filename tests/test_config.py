"""Config: defaults, overrides, and errors that name the file and the key."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from triage import config
from triage.errors import UserError
from triage.store import Store

REPO = Path(__file__).resolve().parent.parent


def test_defaults_without_file(settings):
    assert settings.arxiv.categories == ["cs.LG", "cs.AI", "cs.CL"]
    assert settings.hype.max_topic_age_months == 6
    assert settings.web.host == "127.0.0.1"


def test_shipped_config_loads_and_documents_every_key():
    s = config.load(REPO / "config.toml")
    assert s.digest.from_ == "triage@localhost"
    text = (REPO / "config.toml").read_text()
    for section, keys in config.documented_keys().items():
        assert f"[{section}]" in text, section
        for key in keys:
            assert re.search(rf"^{re.escape(key)} = ", text, re.M), (
                f"[{section}] {key} missing from config.toml"
            )


def test_unknown_key_names_key_and_file(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[arxiv]\ncategorys = ['cs.LG']\n")
    with pytest.raises(UserError, match=r"c\.toml.*\[arxiv\] categorys"):
        config.load(p)


def test_wrong_type_names_key(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[gate]\nunlock_per_attempt = 'five'\n")
    with pytest.raises(UserError, match=r"\[gate\] unlock_per_attempt must be int"):
        config.load(p)


def test_delay_below_three_seconds_refused(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[arxiv]\ndelay_seconds = 1\n")
    with pytest.raises(UserError, match="delay_seconds must be >= 3"):
        config.load(p)


@pytest.mark.parametrize(
    "section, line, message",
    [
        ("hype", "min_share = -0.01", "min_share must be between 0 and 1, got -0.01"),
        ("hype", "sustain_months = 0", "sustain_months must be >= 1, got 0"),
        ("hype", "min_coherence = 2", "min_coherence must be between -1 and 1, got 2.0"),
        ("gate", "daily_read_budget = -1", "daily_read_budget must be >= 0, got -1"),
        ("web", "port = 70000", "port must be between 1 and 65535, got 70000"),
        ("embeddings", "batch_size = 0", "batch_size must be >= 1, got 0"),
    ],
)
def test_a_value_out_of_range_is_refused_naming_the_key(tmp_path, section, line, message):
    """A share of -1% or a zero-month window would not fail: the rules would quietly run on it."""
    p = tmp_path / "c.toml"
    p.write_text(f"[{section}]\n{line}\n")
    with pytest.raises(UserError, match=re.escape(f"c.toml: [{section}] {message}")):
        config.load(p)


def test_db_override_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_DB", str(tmp_path / "env.db"))
    assert config.load(None).storage.db == str(tmp_path / "env.db")
    assert config.load(None, "cli.db").storage.db == "cli.db"


def test_cli_bad_config_exits_2_naming_key(runner, tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[web]\nport = 'eighty'\n")
    result = runner.invoke(runner.cli, ["--config", str(p), "init"])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "[web] port" in result.output


def test_cli_invalid_toml_exits_2(runner, tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("[web\nport = 1\n")
    result = runner.invoke(runner.cli, ["--config", str(p), "init"])
    assert result.exit_code == 2
    assert "broken.toml" in result.output


def _one_sentence_exit_2(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.mark.parametrize(
    "text, needle",
    [
        (b"[gate]\nrecent_days = 3 # caf\xe9\n", "c.toml:2: not UTF-8 text (byte 0xe9)"),
        (b"[gate]\nmin_similarity = nan\n", "[gate] min_similarity must be a finite number"),
        (b"[arxiv]\ntimeout_seconds = inf\n", "[arxiv] timeout_seconds must be a finite number"),
        (
            b"[gate]\nrecent_days = 99999999999\n",
            "[gate] recent_days must be a finite number within +-100,000",
        ),
        (b"[arxiv]\nmax_retries = 99999999999\n", "[arxiv] max_retries must be a finite number"),
        (b'[storage]\ndb = ""\n', "[storage] db is empty"),
    ],
)
def test_config_that_used_to_crash_or_lose_data_exits_2(runner, tmp_path, text, needle):
    p = tmp_path / "c.toml"
    p.write_bytes(text)
    _one_sentence_exit_2(runner.invoke(runner.cli, ["--config", str(p), "queue"]), str(p), needle)


def test_an_empty_db_path_is_refused_not_a_temporary_database(runner, tmp_path, monkeypatch):
    """db = '' used to open a temporary database: the import said it succeeded and the data was gone."""
    f = tmp_path / "x.jsonl"
    f.write_text(
        '{"id": "2501.00001", "title": "t", "abstract": "a", "categories": [], "published": "2025-01-01"}\n'
    )
    _one_sentence_exit_2(
        runner.invoke(runner.cli, ["--db", "", "import", str(f)]), "--db (or TRIAGE_DB) is empty"
    )
    monkeypatch.setenv("TRIAGE_DB", " ")
    _one_sentence_exit_2(runner.invoke(runner.cli, ["import", str(f)]), "is empty")
    with pytest.raises(UserError, match="database path is empty"):
        Store("")


@pytest.mark.skipif(
    shutil.which("setpriv") is None and os.geteuid() == 0, reason="needs setpriv to drop root"
)
def test_a_read_only_database_exits_2(tmp_path):
    """Run as a user who may read but not write the database (root writes anything, so drop to nobody)."""
    folder = Path(tempfile.mkdtemp(prefix="triage-ro-"))
    try:
        folder.chmod(0o755)
        db = folder / "triage.db"
        Store(db).init()
        db.chmod(0o444)
        records = folder / "x.jsonl"
        records.write_text(
            '{"id": "2501.00001", "title": "t", "abstract": "a", "categories": [], "published": "2025-01-01"}\n'
        )
        records.chmod(0o644)
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAGE_DB": str(db), "HOME": str(folder)}
        env.pop("TRIAGE_CONFIG", None)
        result = subprocess.run(
            [*drop, sys.executable, "-m", "triage", "import", str(records)],
            env=env,
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        assert (
            result.stderr.strip()
            == f"Error: Database file {db} is read-only for this user; the store needs to write."
        )
    finally:
        shutil.rmtree(folder)
