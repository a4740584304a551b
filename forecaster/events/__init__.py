"""Event questions, from the question to its stored, plotted forecast.

questions (the record and its loaders) -> prompts -> agents (read a distribution from the model pool)
-> ensemble -> store (one module for the event tables) -> plots and rendering (the run's tables).
"""

from forecaster.events.agents import AgentForecast, ForecastFailure
from forecaster.events.questions import Question, load_questions

__all__ = ["AgentForecast", "ForecastFailure", "Question", "load_questions"]
