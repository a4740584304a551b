"""forecaster: event-probability and time-series forecasting on vLLM, orchestrated with Prefect 3.

The names most users need; everything else lives in its area's package (events, retrieval, scoring,
timeseries, llm).
"""

from forecaster.events.questions import Question
from forecaster.question_files import load_questions
from forecaster.settings import Settings, load_settings

__all__ = ["Question", "Settings", "forecast_events", "load_questions", "load_settings"]


def __getattr__(name: str):
    # The flow pulls in Prefect and the engines: only on first use, so `import forecaster` stays light.
    if name == "forecast_events":
        from flows.events import forecast_events

        return forecast_events
    raise AttributeError(name)
