"""The learned file: a fitted `Combiner` as versioned, human-readable JSON, checked against the config on load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from forecaster.errors import ConfigError
from forecaster.learning.combiner import Combiner
from forecaster.learning.priors import Priors
from forecaster.names import NOT_AGENTS

FORMAT = "forecaster-learned-combiner"
# 2: agents' weights beside a crowd value (`crowd_agent_weights`) apart from their weights elsewhere.
VERSION = 2


def combiner_record(combiner: Combiner) -> dict[str, Any]:
    """The file's content: format and version first, then the parameters and what they were fitted on."""
    return {"format": FORMAT, "version": VERSION, "weights": dict(combiner.weights),
            "crowd_agent_weights": dict(combiner.crowd_agent_weights),
            "prior_weight": dict(combiner.prior_weight), "crowd_prior_weight": combiner.crowd_prior_weight,
            "crowd_intercept": combiner.crowd_intercept,
            "fitted": dict(combiner.fitted), "priors": combiner.priors.as_dict()}


def write_combiner(combiner: Combiner, path: str | Path) -> Path:
    """Write the file whole (a temporary file renamed over it: never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(combiner_record(combiner), indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_combiner(path: str | Path) -> Combiner:
    """A learned file read back; ConfigError naming the file and the rule when it is not one this code reads."""
    where = f"ensemble.learned_file {path}"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found (write one with `forecaster calibrate ... --out FILE`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{where}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{where}: field 'format' must be {FORMAT!r}")
    if data.get("version") != VERSION:
        raise ConfigError(f"{where}: field 'version' is {data.get('version')!r}; this forecaster reads version "
                          f"{VERSION} (fit it again with `forecaster calibrate`)")
    try:
        return Combiner({k: float(v) for k, v in data["weights"].items()},
                        {k: float(v) for k, v in data["prior_weight"].items()}, float(data["crowd_prior_weight"]),
                        float(data["crowd_intercept"]), Priors.from_dict(data["priors"]), data.get("fitted", {}),
                        {k: float(v) for k, v in data["crowd_agent_weights"].items()})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{where}: missing or malformed field ({type(exc).__name__}: {exc})") from None


def check_members(combiner: Combiner, agents: Sequence[str], path: str | Path = "") -> None:
    """Refuse a file that weighs members the config lacks (a renamed or removed agent)."""
    weighed = {*combiner.weights, *combiner.crowd_agent_weights}
    extra = sorted(m for m in weighed if m not in NOT_AGENTS and m not in agents)
    if extra:
        raise ConfigError(f"ensemble.learned_file {path}: weighs agent(s) {extra} that the config lacks "
                          f"(configured agents: {sorted(agents)}); fit it again with `forecaster calibrate`")


def load_for_agents(path: str | Path, agents: Sequence[str]) -> Combiner:
    """Read a learned file and check it matches the configured agents."""
    combiner = read_combiner(path)
    check_members(combiner, agents, path)
    return combiner
