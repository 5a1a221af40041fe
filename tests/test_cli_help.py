"""Every command has help text (sqlite-utils style: a test that walks the whole CLI)."""

import click

from triage.cli import cli


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help(runner):
    for path, cmd in _commands(cli):
        assert cmd.help and len(cmd.help) > 20, f"triage {' '.join(path)} has no help text"
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage:" in result.output


def test_unknown_command_exits_2(runner):
    assert runner.invoke(cli, ["no-such-command"]).exit_code == 2
