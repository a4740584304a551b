"""Read a multiple-choice forecast from token log-probabilities: P(option) = P(tokens of its label | prompt),
normalised over the options.

The options are labelled in the prompt (A, B, C, ...); the labels' tokens form a trie, read as the 0..100 trie is
(`forecaster.llm.readout`): one request per trie node on top of the prompt, all prompts' roots in one engine call
first. Single-token labels (the usual case) make the trie one root: one prefill per prompt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from forecaster.llm.candidates import CandidateTrie
from forecaster.llm.readout import DistributionReader, PromptParts, ReadFailure
from forecaster.llm.scorer import NextTokenQuery


@dataclass(frozen=True)
class ChoiceReadout:
    """Each label's raw log-probability after the prompt, in the options' order."""

    logprobs: tuple[float, ...]
    prompt_ids: tuple[int, ...]

    @property
    def probabilities(self) -> tuple[float, ...]:
        top = max(self.logprobs)
        weights = [math.exp(lp - top) for lp in self.logprobs]
        return tuple(w / sum(weights) for w in weights)

    @property
    def mass(self) -> float:
        """How much of the model's probability fell on the labels."""
        return float(sum(math.exp(lp) for lp in self.logprobs))


def label_sequences(tokenizer, prompt_text: str, labels: Sequence[str]) -> dict[int, tuple[int, ...]]:
    """Token ids of each label as it follows the prompt (tokenized with the prompt's last characters, so merges
    come out as the model sees them); none may be a prefix of another."""
    tail = prompt_text[-64:]
    tail_ids = tokenizer(tail, add_special_tokens=False)["input_ids"]
    out: dict[int, tuple[int, ...]] = {}
    for index, label in enumerate(labels):
        ids = tokenizer(tail + label, add_special_tokens=False)["input_ids"]
        if ids[: len(tail_ids)] != tail_ids or len(ids) == len(tail_ids):
            raise ValueError(f"label {label!r} merges with the prompt's last tokens; end the prompt on a separator")
        out[index] = tuple(ids[len(tail_ids):])
    for a, seq in out.items():
        if any(b != a and other[: len(seq)] == seq for b, other in out.items()):
            raise ValueError(f"label {labels[a]!r} is a prefix of another label's tokens; labels must differ early")
    return out


class ChoiceReader:
    """Option probabilities for prompts, with the same model, padding and context limit as a 0..100 reader."""

    def __init__(self, reader: DistributionReader) -> None:
        self.reader = reader
        self.scorer = reader.scorer

    def read_many(self, prompts: Sequence[PromptParts],
                  labels: Sequence[Sequence[str]]) -> list[ChoiceReadout | ReadFailure]:
        """Each prompt's labels read in two engine calls (every root, then every deeper trie node); a prompt
        too long for the model fails alone."""
        ids = [self.reader.encode(parts) for parts in prompts]
        limit = self.reader.prompt_limit()
        fits = [limit is None or len(i) <= limit for i in ids]
        todo = [k for k, ok in enumerate(fits) if ok]
        tries = {k: CandidateTrie(label_sequences(self.scorer.tokenizer, prompts[k].text, labels[k])) for k in todo}
        nodes = {k: tries[k].internal_nodes(range(len(labels[k]))) for k in todo}
        queries = {k: [NextTokenQuery(tuple(ids[k]) + node, tuple(tries[k].children[node])) for node in nodes[k]]
                   for k in todo}
        roots = self.scorer.next_token_logprobs([queries[k][0] for k in todo]) if todo else []
        deeper = [q for k in todo for q in queries[k][1:]]
        rest = iter(self.scorer.next_token_logprobs(deeper) if deeper else [])
        results: list[ChoiceReadout | ReadFailure] = [
            ReadFailure(f"prompt of {len(i)} tokens does not fit the model's context") for i in ids]
        for k, root in zip(todo, roots):
            by_node = {nodes[k][0]: root, **{node: next(rest) for node in nodes[k][1:]}}
            seqs = tries[k].sequences
            logprobs = tuple(sum(by_node[seqs[o][:d]][seqs[o][d]] for d in range(len(seqs[o])))
                             for o in range(len(labels[k])))
            results[k] = ChoiceReadout(logprobs, tuple(ids[k]))
        return results
