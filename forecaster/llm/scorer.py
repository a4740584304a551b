"""What the distribution read-out needs from a model backend, whatever serves it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence


# vLLM caps `logprob_token_ids` per request (MAX_LOGPROB_TOKEN_IDS); larger sets are split.
MAX_IDS_PER_REQUEST = 128
# vLLM's KV block length when a backend does not say.
DEFAULT_BLOCK_SIZE = 16


@dataclass(frozen=True)
class NextTokenQuery:
    """Log-probabilities of `token_ids` as the next token after `prefix_ids`."""

    prefix_ids: tuple[int, ...]
    token_ids: tuple[int, ...]


class TokenScorer(Protocol):
    """A model that scores chosen next tokens and writes text; vLLM in-process or over HTTP."""

    model_key: str
    tokenizer: Any
    # KV-cache block length: prompts padded to a multiple of it reuse their cached blocks fully.
    block_size: int
    # Longest prompt plus answer the model takes; None when the backend checks it itself.
    max_model_len: int | None

    def next_token_logprobs(self, queries: Sequence[NextTokenQuery]) -> list[dict[int, float]]:
        """For each query, {token id: log-probability} of its requested ids."""
        ...

    def generate(self, prompt_ids: Sequence[int], max_tokens: int, temperature: float) -> str:
        """Sampled text continuing the prompt (used only for reasoning, never for the forecast)."""
        ...

    def generate_many(self, prompts: Sequence[Sequence[int]], max_tokens: int, temperature: float) -> list[str]:
        """`generate` for many prompts, batched by the backend."""
        ...
