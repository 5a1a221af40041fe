"""The README tells a user every command (sqlite-utils keeps the same kind of docs test)."""

import re
from pathlib import Path

from triage.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_command_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Command line\n+```\n(.*?)```", text, re.S)
    assert block, "README.md has no '## Command line' block"
    listed = set(re.findall(r"^  ([a-z-]+)\b", block.group(1), re.M))
    missing = sorted(set(cli.commands) - listed)
    assert not missing, f"commands missing from README's Command line block: {missing}"


def test_readme_opens_with_the_two_setup_commands():
    head = README.read_text(encoding="utf-8")[:600]
    assert "scripts/serve" in head and "scripts/test" in head
