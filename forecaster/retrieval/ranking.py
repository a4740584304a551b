"""Ranking candidate passages for a question: cosine similarity, top k over a floor, optional cross-encoder."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from forecaster.retrieval.embedding import embed_texts, load_cross_encoder
from forecaster.retrieval.passage import Passage
from forecaster.retrieval.store import RetrievalStore
from forecaster.settings import RetrievalSettings

# The cross-encoder rescores this many times top_k of the best cosine candidates.
RERANK_POOL_FACTOR = 4


@dataclass(frozen=True)
class RankedPassages:
    """The chosen passages, best first, and how many texts had to be embedded to choose them."""

    passages: list[Passage] = field(default_factory=list)
    embedded: int = 0


def rank_passages(question_text: str, candidates: list[Passage], settings: RetrievalSettings,
                  store: RetrievalStore) -> RankedPassages:
    """The top_k candidates by cosine similarity to the question, at least min_score, reranked when configured."""
    unique = list({p.id: p for p in candidates}.values())
    if not unique or settings.top_k == 0:
        return RankedPassages()
    vectors, embedded = embed_texts([question_text] + [p.text for p in unique], settings.embedding_model, store)
    scores = vectors[1:] @ vectors[0]
    order = sorted(range(len(unique)), key=lambda i: (-scores[i], unique[i].id))
    kept = [dataclasses.replace(unique[i], score=float(scores[i])) for i in order
            if scores[i] >= settings.min_score]
    if settings.cross_encoder_model and kept:
        kept = rerank(question_text, kept[: settings.top_k * RERANK_POOL_FACTOR], settings.cross_encoder_model)
    return RankedPassages(kept[: settings.top_k], embedded)


def rerank(question_text: str, passages: list[Passage], model: str) -> list[Passage]:
    """Passages reordered by a cross-encoder's score for (question, passage), which becomes their score."""
    scores = np.asarray(load_cross_encoder(model).predict(
        [(question_text, p.text) for p in passages], show_progress_bar=False), dtype=np.float64).reshape(-1)
    order = sorted(range(len(passages)), key=lambda i: (-scores[i], passages[i].id))
    return [dataclasses.replace(passages[i], score=float(scores[i])) for i in order]
