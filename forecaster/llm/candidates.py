"""The answers 0..100 as token sequences after a prompt, arranged as a trie to share prefixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

NUMBERS = range(101)


@dataclass
class CandidateTrie:
    """Each candidate is the tokens of "<n><end marker>" as they follow the prompt."""

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
    """Token ids of each answer "n<end>" in the context of the prompt.

    Tokenizing the answer together with the prompt's last line keeps merges right for tokenizers that
    join a leading space or whole numbers into one token; a prompt whose tail re-tokenizes differently
    is not supported (prompts end on a separator such as ": ").
    """
    tail = prompt_text[-64:]
    tail_ids = tokenizer(tail, add_special_tokens=False)["input_ids"]
    out: dict[int, tuple[int, ...]] = {}
    for n in NUMBERS:
        ids = tokenizer(tail + f"{n}{end_marker}", add_special_tokens=False)["input_ids"]
        if ids[: len(tail_ids)] != tail_ids:
            raise ValueError(
                f"answer {n!r} merges with the prompt's last tokens; end the answer prefix with a separator"
            )
        out[n] = tuple(ids[len(tail_ids):])
    return out
