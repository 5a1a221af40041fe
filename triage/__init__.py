"""Reading-versus-building paper triage: the library both faces (CLI, web) stand on."""

__version__ = "0.1.0"
