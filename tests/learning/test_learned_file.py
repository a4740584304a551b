"""The learned file: versioned, human-readable, read back as fitted, refused when it does not fit the config."""

from __future__ import annotations

import json

import numpy as np
import pytest

from forecaster.errors import ConfigError
from forecaster.learning.combiner import fit_combiner
from forecaster.learning.learned_file import load_for_agents, read_combiner, write_combiner
from tests.learning.synthetic import synthetic_round


@pytest.fixture(scope="module")
def combiner():
    rng = np.random.default_rng(11)
    return fit_combiner([r for k in range(3) for r in synthetic_round(k, rng, 60, 60)])


def test_the_file_is_versioned_json_that_reads_back_the_same_forecasts(combiner, tmp_path):
    path = write_combiner(combiner, tmp_path / "learned.json")
    data = json.loads(path.read_text())
    assert (data["format"], data["version"]) == ("forecaster-learned-combiner", 2)
    again = read_combiner(path)
    for args in (("coin", 7, None, {"oracle": 0.3, "noise": 0.6}), ("market", None, 0.8, {"oracle": 0.7})):
        assert again.combine(*args).probability == pytest.approx(combiner.combine(*args).probability)


def test_a_file_that_names_agents_the_config_lacks_is_refused(combiner, tmp_path):
    path = write_combiner(combiner, tmp_path / "learned.json")
    with pytest.raises(ConfigError, match=r"weighs agent\(s\) \['noise'\] that the config lacks"):
        load_for_agents(path, ["oracle", "sceptic"])


def test_a_file_that_names_only_configured_agents_is_accepted(combiner, tmp_path):
    path = write_combiner(combiner, tmp_path / "learned.json")
    assert load_for_agents(path, ["oracle", "noise", "sceptic"]).agents == ["noise", "oracle"]


def test_a_file_of_another_version_is_refused_naming_the_field(combiner, tmp_path):
    path = write_combiner(combiner, tmp_path / "learned.json")
    path.write_text(path.read_text().replace('"version": 2', '"version": 7'))
    with pytest.raises(ConfigError, match="field 'version' is 7"):
        read_combiner(path)


def test_a_missing_file_is_refused_with_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match="forecaster calibrate"):
        read_combiner(tmp_path / "absent.json")
