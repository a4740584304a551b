"""Read a full 0..100 distribution from token log-probabilities, never from sampled text.

P(n) = P(tokens of "n", then the end marker where they begin another answer's | prompt): the end marker
keeps "1" from absorbing "10".."19" and "100" (`candidates.py`). The answers form a trie; one request fills the KV cache with the prompt, then
one batch of one-token requests (one per trie node, each asking only for its children's ids) reads
every branch on top of the cached prompt, so the whole distribution costs little more than one prefill.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

from forecaster.llm.distribution import Distribution, raw_mass
from forecaster.errors import ForecasterError
from forecaster.llm.candidates import NUMBERS, TAIL_CHARS, CandidateTrie, candidate_sequences
from forecaster.llm.logprob_cache import LogprobCache, prompt_key
from forecaster.llm.scorer import NextTokenQuery, TokenScorer


# "100%" is at most four tokens for the tokenizers we read; the read-out needs room for the longest answer.
LONGEST_ANSWER = 4


@dataclass(frozen=True)
class PromptParts:
    """A rendered prompt in levels of sharing: `shared` (what every agent and horizon of a question begins with),
    then `agent` (what one agent's prompts at every horizon or threshold begin with), each ending on a KV block
    boundary (padded) so that the other prompts find them in the prefix cache; padding between head and tail makes
    the whole prompt whole blocks."""

    head: str
    tail: str
    shared: str = ""
    agent: str = ""

    @property
    def text(self) -> str:
        return self.shared + self.agent + self.head + self.tail


@dataclass(frozen=True)
class Readout:
    """The raw log-probability of each answer and what follows from it."""

    logprobs: tuple[float, ...]
    prompt_ids: tuple[int, ...]
    cache_hits: int

    @property
    def distribution(self) -> Distribution:
        return Distribution.from_logprobs(self.logprobs)

    @property
    def mass(self) -> float:
        return raw_mass(self.logprobs)


@dataclass(frozen=True)
class ReadFailure:
    """A prompt that could not be scored, and why: it fails alone, the rest of its batch goes on."""

    reason: str


class ReadError(ForecasterError):
    """The one prompt asked for could not be scored."""


@dataclass
class _Plan:
    """One prompt on its way through a batch: its ids, what the cache had, what is left to score."""

    ids: list[int]
    text: str
    found: dict[int, float | None]
    failure: ReadFailure | None = None

    def __post_init__(self) -> None:
        self.cache_hits = 101 - len(self.missing)

    @property
    def missing(self) -> list[int]:
        return [n for n, lp in self.found.items() if lp is None]


class DistributionReader:
    """Turns prompts into distributions with one model, caching candidate scores."""

    def __init__(self, scorer: TokenScorer, cache: LogprobCache, end_marker: str = "%",
                 align_to_block: bool = True) -> None:
        self.scorer = scorer
        self.cache = cache
        self.end_marker = end_marker
        self.align_to_block = align_to_block
        self._pad_id = self._single_token("\n")
        # Every agent and horizon of a question tokenizes the same shared text, and every prompt ends on the same
        # answer prefix: tokenizing them once each took a tenth of a round's time off the engine's critical path.
        self._tokenize = functools.lru_cache(maxsize=1024)(self._tokenize_uncached)
        self._answer_trie = functools.lru_cache(maxsize=16)(self._answer_trie_uncached)

    def encode(self, parts: PromptParts) -> list[int]:
        """Token ids of the prompt, padded with newlines so that the shared part, the agent's part and the whole
        prompt each end on a block boundary. The agent's padding goes before its part, which then runs on into
        the head as written ("Resolution date:" and the date)."""
        prefix, head, tail = self._prefix(parts), self._ids(parts.head), self._ids(parts.tail)
        return prefix + head + [self._pad_id] * self._to_block(len(prefix) + len(head) + len(tail)) + tail

    def shared_length(self, parts: PromptParts) -> int:
        """How many leading tokens of the encoded prompt are its shared part, padding included."""
        return len(self._padded(self._ids(parts.shared)))

    def agent_length(self, parts: PromptParts) -> int:
        """How many leading tokens of the encoded prompt are its shared and agent parts, padding included."""
        return len(self._prefix(parts))

    def _prefix(self, parts: PromptParts) -> list[int]:
        shared, agent = self._padded(self._ids(parts.shared)), self._ids(parts.agent)
        return shared + [self._pad_id] * self._to_block(len(shared) + len(agent)) + agent

    def _ids(self, text: str) -> list[int]:
        return list(self._tokenize(text)) if text else []

    def _tokenize_uncached(self, text: str) -> tuple[int, ...]:
        return tuple(self.scorer.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _answer_trie_uncached(self, prompt_tail: str) -> CandidateTrie:
        return CandidateTrie(candidate_sequences(self.scorer.tokenizer, prompt_tail, self.end_marker))

    def _padded(self, ids: list[int]) -> list[int]:
        return ids + [self._pad_id] * self._to_block(len(ids))

    def _to_block(self, length: int) -> int:
        return (-length) % self.scorer.block_size if self.align_to_block else 0

    def read(self, parts: PromptParts) -> Readout:
        """The log-probability of every answer 0..100 after the prompt."""
        (result,) = self.read_many([parts])
        if isinstance(result, ReadFailure):
            raise ReadError(result.reason)
        return result

    def read_many(self, prompts: Sequence[PromptParts]) -> list[Readout | ReadFailure]:
        """`read` for many prompts in two engine calls: every prompt's root, then every trie node.

        The cache is consulted per (model, prompt, candidate). A prompt that cannot be scored (too long for
        the model's context, or refused by the engine) gives a `ReadFailure`; the others are still read.
        """
        plans = [self._plan(parts) for parts in prompts]
        todo = [p for p in plans if p.missing]
        for plan, scores in zip(todo, self._score_isolating_faults(todo) if todo else []):
            if isinstance(scores, ReadFailure):
                plan.failure = scores
                continue
            plan.found.update(scores)
            base = self._cache_base(plan.ids)
            for n, lp in scores.items():
                self.cache.put((base, n), lp)
        return [p.failure or Readout(tuple(p.found[n] for n in NUMBERS), tuple(p.ids), p.cache_hits)
                for p in plans]

    def _plan(self, parts: PromptParts) -> _Plan:
        ids = self.encode(parts)
        base = self._cache_base(ids)
        return _Plan(ids, parts.text, {n: self.cache.get((base, n)) for n in NUMBERS})

    def _cache_base(self, ids: Sequence[int]) -> tuple[str, str]:
        return (self.scorer.model_key, prompt_key(ids))

    def _score_isolating_faults(self, plans: list[_Plan]) -> list[dict[int, float] | ReadFailure]:
        """Score the batch together; if the engine refuses a prompt in it, score each alone to find which."""
        fitting = {id(p): self._fits(p) for p in plans}
        batch = [p for p in plans if fitting[id(p)] is None]
        try:
            scored = dict(zip(map(id, batch), self._score_batch(batch))) if batch else {}
        except Exception as exc:
            if not _refused(exc):
                raise  # a dead engine or server fails every prompt: the caller retries, on a new engine
            scored = {}
            for plan in batch:
                try:
                    scored[id(plan)] = self._score_batch([plan])[0]
                except Exception as alone:
                    if not _refused(alone):
                        raise
                    scored[id(plan)] = ReadFailure(f"the model refused the prompt: {type(alone).__name__}: {alone}")
        return [fitting[id(p)] or scored[id(p)] for p in plans]

    def prompt_limit(self) -> int | None:
        """The most prompt tokens (padding included) that leave room for every answer; None: unknown."""
        limit = getattr(self.scorer, "max_model_len", None)
        return None if limit is None else limit - LONGEST_ANSWER

    def _fits(self, plan: _Plan) -> ReadFailure | None:
        limit = self.prompt_limit()
        if limit is not None and len(plan.ids) > limit:
            return ReadFailure(f"prompt of {len(plan.ids)} tokens does not fit the model's context of "
                               f"{limit + LONGEST_ANSWER} tokens")
        return None

    def _score_batch(self, plans: list[_Plan]) -> list[dict[int, float]]:
        tries = [self._answer_trie(p.text[-TAIL_CHARS:]) for p in plans]
        nodes = [trie.internal_nodes(p.missing) for trie, p in zip(tries, plans)]
        queries = [[NextTokenQuery(tuple(p.ids) + node, tuple(trie.children[node])) for node in plan_nodes]
                   for p, trie, plan_nodes in zip(plans, tries, nodes)]
        # Every root first, in one call: it writes each prompt's blocks to the prefix cache the branches read.
        roots = self.scorer.next_token_logprobs([q[0] for q in queries])
        branches = [query for q in queries for query in q[1:]]
        rest = self.scorer.next_token_logprobs(branches) if branches else []
        results, offset = [], 0
        for p, trie, plan_nodes, root in zip(plans, tries, nodes, roots):
            node_logprobs = [root, *rest[offset : offset + len(plan_nodes) - 1]]
            offset += len(plan_nodes) - 1
            by_node = dict(zip(plan_nodes, node_logprobs))
            results.append({n: sum(by_node[seq[:d]][seq[d]] for d in range(len(seq)))
                            for n in p.missing for seq in [trie.sequences[n]]})
        return results

    def _single_token(self, text: str) -> int:
        ids = self.scorer.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids[-1]


def _refused(exc: BaseException) -> bool:
    """The backend rejected a request as invalid (vLLM's ValueError, an HTTP 4xx), rather than failing."""
    return isinstance(exc, ValueError) or bool(getattr(exc, "refused", False))
