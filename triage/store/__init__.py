"""The SQLite store: schema, versioned migrations, upserts and queries.

The only package that writes SQL. Every statement is parameterised. Each feature keeps its tables'
queries in its own module and its migrations under its own numbers (triage.store.schema); Store
joins them, so callers see one object.
"""

from triage.store.analysis import AnalysisStore
from triage.store.gate import GateStore
from triage.store.jobs import JobsStore
from triage.store.papers import PapersStore
from triage.store.schema import MIGRATIONS, SchemaStore
from triage.store.topics import TopicsStore

__all__ = ["MIGRATIONS", "Store"]


class Store(SchemaStore, PapersStore, AnalysisStore, TopicsStore, GateStore, JobsStore):
    """One SQLite database. Open with Store(path); `init()` creates or upgrades it."""
