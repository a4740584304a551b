"""Context for event questions: Wikipedia and local documents, embedded, ranked and cached in SQLite.

`retrieve(question, settings.retrieval, store, as_of=...)` is the one call a pipeline needs; each source
(`fetch_wikipedia`, `fetch_local`) and the ranking (`rank_passages`) can also be called alone, which is
what the Prefect tasks in `tasks/retrieval.py` do so that each source is retried on its own. Pass one
`SourceAvailability` per run (`availability=`) so a source found unreachable is skipped for the rest of it.
"""

from forecaster.retrieval.availability import SourceAvailability, connection_failure
from forecaster.retrieval.local_source import fetch_local
from forecaster.retrieval.passage import Passage, RetrievalResult, SourceFailure, SourceResult
from forecaster.retrieval.ranking import RankedPassages, rank_passages
from forecaster.retrieval.retrieve import combine, enabled_sources, retrieve
from forecaster.retrieval.wikipedia_source import fetch_wikipedia

__all__ = [
    "Passage", "RankedPassages", "RetrievalResult", "SourceAvailability", "SourceFailure", "SourceResult",
    "combine", "connection_failure", "enabled_sources", "fetch_local", "fetch_wikipedia", "rank_passages", "retrieve",
]
