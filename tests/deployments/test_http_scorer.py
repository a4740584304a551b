"""HTTPScorer's protocol, retries and secrets against the package's real vLLM OpenAI server (tests/deployments).

The server is the package-scoped `vllm_server` (the demo model streamed from S3); the one test that kills it starts
it again and waits for it, so the tests after it get a working server.
"""

from __future__ import annotations

import logging
import re
import time

import pytest

from forecaster.llm.http_scorer import HTTPScorer, ServerError
from forecaster.llm.scorer import NextTokenQuery
from forecaster.settings import ServerSettings
from tests.deployments.servers import API_KEY, SERVED_NAME
from tests.processes import free_port

BACKOFF_S, MAX_BACKOFF_S = 0.5, 4.0
# Token ids of the demo model's vocabulary (49152 ids): any ids are a valid prompt and valid log-prob targets.
FIRST = NextTokenQuery((504, 3458, 314, 260), (30, 31, 32))
SECOND = NextTokenQuery((1205, 2340, 9, 77, 812), (33, 40))


def make_scorer(url: str, **overrides) -> tuple[HTTPScorer, list[float]]:
    """A scorer on `url` that really sleeps between retries and records each wait."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    fields = {"base_url": url, "model": SERVED_NAME, "api_key": API_KEY, "retry_backoff_s": BACKOFF_S,
              "retry_max_backoff_s": MAX_BACKOFF_S, **overrides}
    return HTTPScorer(ServerSettings(**fields), "demo", tokenizer=None, block_size=32, sleep=sleep), waits


def doubling(n: int) -> list[float]:
    return [min(BACKOFF_S * 2**i, MAX_BACKOFF_S) for i in range(n)]


def served(server, status: int) -> int:
    """How many /v1/completions requests the server answered with `status` (its access log)."""
    return len(re.findall(rf'"POST /v1/completions HTTP/1.1" {status}', server.log.read_text(errors="replace")))


def wait_for_log(server, status: int, count: int, timeout: float = 10) -> int:
    """The access log is written just after the answer: wait for it to reach `count` lines before reading."""
    deadline = time.monotonic() + timeout
    while served(server, status) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return served(server, status)


# No server: a closed port on 127.0.0.1 (quick tests).

def test_a_server_that_stays_down_fails_after_the_retries_naming_the_url():
    url = f"http://127.0.0.1:{free_port()}"
    scorer, waits = make_scorer(url, retries=2, retry_backoff_s=0.01, retry_max_backoff_s=0.02)
    with pytest.raises(ServerError, match=rf"{re.escape(url)}/health unreachable after 3 attempt\(s\): Connect"):
        scorer.health()
    assert waits == [0.01, 0.02]


def test_the_api_key_never_reaches_logs_or_errors(caplog):
    scorer, _ = make_scorer(f"http://127.0.0.1:{free_port()}", retries=2, retry_backoff_s=0.01)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ServerError) as raised:
            scorer.generate([1], max_tokens=1, temperature=0.0)
    assert "retry 2/2" in caplog.text  # the retries were logged...
    assert API_KEY not in caplog.text and API_KEY not in str(raised.value)  # ...without the key
    assert API_KEY not in repr(scorer.server) and API_KEY not in scorer.server.model_dump_json()


# The real vLLM server.

@pytest.mark.slow
def test_logprobs_come_back_per_query_in_the_order_asked(vllm_server):
    vllm_server.ready()
    scorer, _ = make_scorer(vllm_server.url)
    together = scorer.next_token_logprobs([FIRST, SECOND])
    alone = scorer.next_token_logprobs([SECOND]) + scorer.next_token_logprobs([FIRST])
    assert [sorted(d) for d in together] == [list(FIRST.token_ids), list(SECOND.token_ids)]
    assert together[0] == pytest.approx(alone[1], abs=1e-3)
    assert together[1] == pytest.approx(alone[0], abs=1e-3)
    assert all(lp < 0 for d in together for lp in d.values())
    assert together[0][30] != pytest.approx(together[1][33], abs=1e-3)  # different prompts: swapping would show


@pytest.mark.slow
def test_queries_are_sent_in_batches_of_max_prompts_per_request(vllm_server):
    vllm_server.ready()
    scorer, _ = make_scorer(vllm_server.url, max_prompts_per_request=2)
    third = NextTokenQuery((900, 901), (41,))
    before = served(vllm_server, 200)
    got = scorer.next_token_logprobs([FIRST, SECOND, third])
    assert wait_for_log(vllm_server, 200, before + 2) == before + 2
    # Each query gets its own token ids only, though a batch asks for the union of them.
    assert [sorted(d) for d in got] == [list(FIRST.token_ids), list(SECOND.token_ids), [41]]


@pytest.mark.slow
def test_more_token_ids_than_vllm_takes_per_request_are_split_across_requests(vllm_server):
    from forecaster.llm.scorer import MAX_IDS_PER_REQUEST

    vllm_server.ready()
    scorer, _ = make_scorer(vllm_server.url)
    many = NextTokenQuery(FIRST.prefix_ids, tuple(range(100, 100 + MAX_IDS_PER_REQUEST + 10)))
    before = served(vllm_server, 200)
    (got,) = scorer.next_token_logprobs([many])
    assert wait_for_log(vllm_server, 200, before + 2) == before + 2
    assert sorted(got) == list(many.token_ids)


@pytest.mark.slow
def test_the_api_key_goes_in_the_authorization_header(vllm_server):
    vllm_server.ready()
    with_key, _ = make_scorer(vllm_server.url)
    without_key, _ = make_scorer(vllm_server.url, api_key=None, retries=0)
    assert isinstance(with_key.generate([1, 2, 3], max_tokens=2, temperature=0.0), str)
    with pytest.raises(ServerError, match="answered 401"):  # the control: this server does check the key
        without_key.generate([1, 2, 3], max_tokens=2, temperature=0.0)


@pytest.mark.slow
def test_a_model_the_server_does_not_serve_fails_at_once_with_the_servers_message(vllm_server):
    vllm_server.ready()
    scorer, waits = make_scorer(vllm_server.url, model="not-served-model", retries=5)
    before = served(vllm_server, 404)
    with pytest.raises(ServerError, match=rf"{re.escape(vllm_server.url)}/v1/completions answered 404: "
                                          r"The model `not-served-model` does not exist"):
        scorer.generate([1, 2, 3], max_tokens=1, temperature=0.0)
    assert waits == []
    assert wait_for_log(vllm_server, 404, before + 1) == before + 1  # one request, no retry


@pytest.mark.slow
def test_retries_wait_out_a_killed_server_until_it_is_started_again(vllm_server, caplog):
    vllm_server.ready()
    scorer, waits = make_scorer(vllm_server.url, retries=400)  # ~27 min at 4 s: a restart takes minutes here
    assert scorer.generate([1, 2, 3], max_tokens=1, temperature=0.0)
    vllm_server.kill()  # SIGKILL of the server and its engine core
    try:
        with pytest.raises(ServerError, match="unreachable"):  # really down
            make_scorer(vllm_server.url, retries=0)[0].generate([1, 2, 3], max_tokens=1, temperature=0.0)
        vllm_server.start()
        started = time.monotonic()
        with caplog.at_level(logging.WARNING):
            text = scorer.generate([1, 2, 3], max_tokens=1, temperature=0.0)
        assert isinstance(text, str)
        assert len(waits) >= 3 and waits == doubling(len(waits))
        assert time.monotonic() - started >= sum(waits)
        assert f"server {vllm_server.url}/v1/completions" in caplog.text and API_KEY not in caplog.text
    finally:
        if vllm_server.proc is None or vllm_server.proc.poll() is not None:
            vllm_server.start()  # later tests of the package get a server whatever happened here
