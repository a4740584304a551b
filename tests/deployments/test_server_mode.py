"""Server mode against a real vLLM OpenAI server whose weights stream from S3 (moto) through Run:ai."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from forecaster.llm.http_scorer import HTTPScorer, load_tokenizer
from forecaster.llm.logprob_cache import LogprobCache
from forecaster.llm.readout import DistributionReader
from forecaster.events.prompts import forecast_prompt
from forecaster.events.questions import question_from_mapping
from forecaster.settings import ServerSettings
from tests.deployments.servers import API_KEY, DEMO_MODEL, SERVED_NAME

pytestmark = pytest.mark.slow

QUESTIONS = [
    {"id": "sm-1", "question": "Will global sea level rise exceed 5 mm in 2027 according to NASA?"},
    {"id": "sm-2", "question": "Will a commercial fusion power plant deliver electricity to a grid by 2030?",
     "background": "Several private companies have announced pilot plants for the late 2020s."},
]


def http_scorer(engine_settings, url: str, block_size: int) -> HTTPScorer:
    server = ServerSettings(base_url=url, model=SERVED_NAME, api_key=API_KEY, retries=2)
    settings = engine_settings.model_copy(update={"server": server})
    return HTTPScorer(server, DEMO_MODEL, load_tokenizer(settings, DEMO_MODEL), block_size)


def test_the_server_streams_the_model_from_s3(vllm_server, s3_model):
    vllm_server.ready()
    models = httpx.get(f"{vllm_server.url}/v1/models", headers={"Authorization": f"Bearer {API_KEY}"}).json()
    assert [(m["id"], m["root"]) for m in models["data"]] == [(SERVED_NAME, s3_model.uri)]
    assert "runai_streamer" in " ".join(vllm_server.args)


def test_server_mode_reads_the_same_distribution_as_the_in_process_engine(vllm_server, scorer, engine_settings):
    assert engine_settings.vllm.dtype == "float32"
    vllm_server.ready()
    remote = http_scorer(engine_settings, vllm_server.url, scorer.block_size)
    local_reader = DistributionReader(scorer, LogprobCache(1024))
    remote_reader = DistributionReader(remote, LogprobCache(1024))
    for record in QUESTIONS:
        parts = forecast_prompt(scorer.tokenizer, question_from_mapping(record, record["id"]), "plain",
                                dt.date(2026, 11, 1), (), None)
        local, served = local_reader.read(parts), remote_reader.read(parts)
        assert served.prompt_ids == local.prompt_ids
        # float32 kernels batch differently in the two engines: unlikely answers (log-prob ~ -15) move ~1e-3.
        assert served.logprobs == pytest.approx(local.logprobs, rel=2e-4, abs=1e-3)
        assert max(abs(a - b) for a, b in zip(served.distribution.probs, local.distribution.probs)) < 1e-4


def test_a_wrong_api_key_is_refused_with_the_status_and_without_the_key(vllm_server, engine_settings):
    from forecaster.llm.http_scorer import ServerError

    vllm_server.ready()
    server = ServerSettings(base_url=vllm_server.url, model=SERVED_NAME, api_key="wrong-key-0000", retries=0)
    scorer = HTTPScorer(server, DEMO_MODEL, tokenizer=None, block_size=32)
    with pytest.raises(ServerError, match="401") as raised:
        scorer.generate([1, 2, 3], 1, 0.0)
    assert "wrong-key-0000" not in str(raised.value)
