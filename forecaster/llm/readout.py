"""Read a full 0..100 distribution from token log-probabilities, never from sampled text.

P(n) = P(tokens of "n" then the end marker | prompt): the end marker keeps "1" from absorbing
"10".."19" and "100". The answers form a trie; one request fills the KV cache with the prompt, then
one batch of one-token requests (one per trie node, each asking only for its children's ids) reads
every branch on top of the cached prompt, so the whole distribution costs little more than one prefill.
"""

from __future__ import annotations

from dataclasses import dataclass

from forecaster.distribution import Distribution, raw_mass
from forecaster.llm.candidates import NUMBERS, CandidateTrie, candidate_sequences
from forecaster.llm.logprob_cache import LogprobCache, prompt_key
from forecaster.llm.scorer import NextTokenQuery, TokenScorer


@dataclass(frozen=True)
class PromptParts:
    """A rendered prompt; padding (to whole KV blocks) goes between head and tail."""

    head: str
    tail: str

    @property
    def text(self) -> str:
        return self.head + self.tail


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


class DistributionReader:
    """Turns prompts into distributions with one model, caching candidate scores."""

    def __init__(self, scorer: TokenScorer, cache: LogprobCache, end_marker: str = "%",
                 align_to_block: bool = True) -> None:
        self.scorer = scorer
        self.cache = cache
        self.end_marker = end_marker
        self.align_to_block = align_to_block
        self._pad_id = self._single_token("\n")

    def encode(self, parts: PromptParts) -> list[int]:
        """Token ids of the prompt, padded with newlines at the slot to a whole number of blocks."""
        tok = self.scorer.tokenizer
        head = tok(parts.head, add_special_tokens=False)["input_ids"]
        tail = tok(parts.tail, add_special_tokens=False)["input_ids"]
        pad = (-(len(head) + len(tail))) % self.scorer.block_size if self.align_to_block else 0
        return head + [self._pad_id] * pad + tail

    def read(self, parts: PromptParts) -> Readout:
        """The log-probability of every answer 0..100 after the prompt."""
        ids = self.encode(parts)
        base = (self.scorer.model_key, prompt_key(ids))
        found = {n: self.cache.get((base, n)) for n in NUMBERS}
        missing = [n for n, lp in found.items() if lp is None]
        if missing:
            found.update(self._score(ids, parts.text, missing))
            for n in missing:
                self.cache.put((base, n), found[n])
        return Readout(tuple(found[n] for n in NUMBERS), tuple(ids), cache_hits=101 - len(missing))

    def _score(self, ids: list[int], text: str, numbers: list[int]) -> dict[int, float]:
        trie = CandidateTrie(candidate_sequences(self.scorer.tokenizer, text, self.end_marker))
        nodes = trie.internal_nodes(numbers)
        queries = [NextTokenQuery(tuple(ids) + node, tuple(trie.children[node])) for node in nodes]
        # The root alone first: it writes the prompt's blocks to the prefix cache that every branch reads.
        node_logprobs = self.scorer.next_token_logprobs(queries[:1])
        if len(queries) > 1:
            node_logprobs += self.scorer.next_token_logprobs(queries[1:])
        by_node = dict(zip(nodes, node_logprobs))
        return {n: sum(by_node[seq[:d]][seq[d]] for d in range(len(seq)))
                for n in numbers for seq in [trie.sequences[n]]}

    def _single_token(self, text: str) -> int:
        ids = self.scorer.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids[-1]
