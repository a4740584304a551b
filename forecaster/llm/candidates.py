"""The answers 0..100 as token sequences after a prompt, arranged as a trie to share prefixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

NUMBERS = range(101)
# How much of the prompt's end is tokenized with each answer: the answers' tokens depend on nothing before it.
TAIL_CHARS = 64


@dataclass
class CandidateTrie:
    """Each candidate is the tokens of "<n>" as they follow the prompt, then the end marker where they begin
    another candidate's tokens."""

    sequences: dict[int, tuple[int, ...]]
    # prefix (relative to the prompt) -> the distinct next tokens seen after it
    children: dict[tuple[int, ...], list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for seq in self.sequences.values():
            for depth in range(len(seq)):
                kids = self.children.setdefault(seq[:depth], [])
                if seq[depth] not in kids:
                    kids.append(seq[depth])

    def internal_nodes(self, numbers: Sequence[int]) -> list[tuple[int, ...]]:
        """The prefixes whose next-token log-probabilities the given candidates need, root first."""
        needed = {self.sequences[n][:d] for n in numbers for d in range(len(self.sequences[n]))}
        return sorted(needed, key=lambda p: (len(p), p))


def candidate_sequences(tokenizer, prompt_text: str, end_marker: str) -> dict[int, tuple[int, ...]]:
    """Token ids of each answer after the prompt: "n<end>" where the tokens of "n" begin another answer's,
    plain "n" elsewhere.

    The end marker keeps "1" from absorbing "10".."19" and "100"; an answer no other answer continues needs no
    marker, and leaving it off saves one engine query per such answer (90 of the 101 with a tokenizer that splits
    digits, all of them with one that keeps whole numbers). Tokenizing the answer together with the prompt's last
    line keeps merges right for tokenizers that join a leading space or whole numbers into one token; a prompt
    whose tail re-tokenizes differently is not supported (prompts end on a separator such as ": ").
    """
    tail = prompt_text[-TAIL_CHARS:]
    tail_ids = tokenizer(tail, add_special_tokens=False)["input_ids"]
    bare = {n: _answer_ids(tokenizer, tail, tail_ids, f"{n}") for n in NUMBERS}
    ended = {n: _answer_ids(tokenizer, tail, tail_ids, f"{n}{end_marker}") for n in NUMBERS}
    return {n: ended[n] if _begins_another(bare, n) or ended[n][: len(bare[n])] != bare[n] else bare[n]
            for n in NUMBERS}


def _answer_ids(tokenizer, tail: str, tail_ids: list[int], answer: str) -> tuple[int, ...]:
    ids = tokenizer(tail + answer, add_special_tokens=False)["input_ids"]
    if ids[: len(tail_ids)] != tail_ids:
        raise ValueError(f"answer {answer!r} merges with the prompt's last tokens; end the answer prefix with a "
                         "separator")
    return tuple(ids[len(tail_ids):])


def _begins_another(bare: dict[int, tuple[int, ...]], n: int) -> bool:
    seq = bare[n]
    return any(m != n and bare[m][: len(seq)] == seq for m in bare)
