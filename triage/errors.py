"""The two kinds of failure the CLI maps to exit codes (DESIGN: 1 operational, 2 bad input)."""


class TriageError(Exception):
    """Base: a failure with one clear sentence for the user."""

    exit_code = 1


class UserError(TriageError):
    """Bad input, bad config, bad file: the user can fix it. Exit 2."""

    exit_code = 2


class OperationalError(TriageError):
    """Network, SMTP, a remote service: retrying later may work. Exit 1."""

    exit_code = 1
