"""HTTPScorer's protocol, retries and secrets against a real HTTP server on 127.0.0.1 (vLLM's wire format)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from forecaster.llm.http_scorer import HTTPScorer, ServerError
from forecaster.llm.scorer import NextTokenQuery
from forecaster.settings import ServerSettings

SECRET = "sk-never-log-4d1c"


class FakeVLLM(BaseHTTPRequestHandler):
    """Answers /health and /v1/completions like vLLM: log-probability -(id / 10) - len(prompt) / 100."""

    failures: list[int] = []  # statuses to answer before the next success (503, 500...)
    seen: list[dict] = []

    def do_GET(self) -> None:
        self._reply(200, {}) if self.path == "/health" else self._reply(404, {"error": "no"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"body": body, "auth": self.headers.get("Authorization")})
        if self.failures:
            return self._reply(self.failures.pop(0), {"error": {"message": "engine dead"}})
        if body["model"] != "served":
            return self._reply(404, {"error": {"message": f"The model `{body['model']}` does not exist."}})
        prompts = body["prompt"] if isinstance(body["prompt"][0], list) else [body["prompt"]]
        choices = []
        for i, prompt in enumerate(prompts):
            ids = body.get("logprob_token_ids") or []
            top = {f"token_id:{t}": -(t / 10) - len(prompt) / 100 for t in ids}
            top["token_id:99999"] = -0.01  # the sampled token rides along, as in vLLM
            choices.append({"index": i, "text": "ok", "logprobs": {"top_logprobs": [top]}})
        self._reply(200, {"choices": list(reversed(choices))})

    def _reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_server() -> Iterator[str]:
    FakeVLLM.failures, FakeVLLM.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeVLLM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make_scorer(url: str, **overrides) -> tuple[HTTPScorer, list[float]]:
    waits: list[float] = []
    settings = ServerSettings(base_url=url, model="served", api_key=SECRET, retry_backoff_s=0.5,
                              retry_max_backoff_s=1.0, **overrides)
    return HTTPScorer(settings, "demo", tokenizer=None, block_size=32, sleep=waits.append), waits


def test_logprobs_come_back_per_query_by_token_id(fake_server):
    scorer, _ = make_scorer(fake_server)
    got = scorer.next_token_logprobs([NextTokenQuery((1, 2), (5, 7)), NextTokenQuery((1, 2, 3), (8,))])
    assert got == [{5: pytest.approx(-0.52), 7: pytest.approx(-0.72)}, {8: pytest.approx(-0.83)}]


def test_queries_are_batched_with_the_union_of_their_token_ids(fake_server):
    scorer, _ = make_scorer(fake_server, max_prompts_per_request=2)
    scorer.next_token_logprobs([NextTokenQuery((1,), (4,)), NextTokenQuery((2,), (6,)), NextTokenQuery((3,), (9,))])
    bodies = [s["body"] for s in FakeVLLM.seen]
    assert [b["prompt"] for b in bodies] == [[[1], [2]], [[3]]]
    assert [b["logprob_token_ids"] for b in bodies] == [[4, 6], [9]]
    assert all(b["max_tokens"] == 1 and b["return_tokens_as_token_ids"] for b in bodies)


def test_the_api_key_goes_in_the_authorization_header(fake_server):
    scorer, _ = make_scorer(fake_server)
    scorer.generate([1, 2], max_tokens=3, temperature=0.0)
    assert FakeVLLM.seen[0]["auth"] == f"Bearer {SECRET}"


def test_5xx_answers_are_retried_with_doubling_waits_until_the_server_answers(fake_server):
    FakeVLLM.failures = [503, 500, 502]
    scorer, waits = make_scorer(fake_server, retries=5)
    assert scorer.generate([1], max_tokens=1, temperature=0.0) == "ok"
    assert waits == [0.5, 1.0, 1.0]


def test_a_server_that_stays_down_fails_after_the_retries_naming_the_url(fake_server):
    scorer, waits = make_scorer("http://127.0.0.1:9", retries=2)
    with pytest.raises(ServerError, match=r"http://127.0.0.1:9/health unreachable after 3 attempt"):
        scorer.health()
    assert len(waits) == 2


def test_a_4xx_answer_fails_at_once_with_the_servers_message(fake_server):
    scorer, waits = make_scorer(fake_server, retries=5)
    scorer.server = scorer.server.model_copy(update={"model": "other"})
    with pytest.raises(ServerError, match="404.*`other` does not exist"):
        scorer.generate([1], max_tokens=1, temperature=0.0)
    assert waits == []


def test_the_api_key_never_reaches_logs_or_errors(fake_server, caplog):
    FakeVLLM.failures = [503, 401]
    scorer, _ = make_scorer(fake_server, retries=3)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ServerError) as raised:
            scorer.generate([1], max_tokens=1, temperature=0.0)
    assert SECRET not in caplog.text and SECRET not in str(raised.value)
    assert SECRET not in repr(scorer.server) and SECRET not in scorer.server.model_dump_json()
