"""Event questions, from the question to its stored, plotted forecast.

questions (the record; `forecaster.question_files` is the door for files) -> prompts -> agents (read a distribution from the model pool)
-> ensemble -> store (one module for the event tables) -> plots and rendering (the run's tables).
"""

from forecaster.events.agents import AgentForecast, ForecastFailure
from forecaster.events.questions import Question

__all__ = ["AgentForecast", "ForecastFailure", "Question"]
