"""Embedder: normalised vectors in input order, a (model, text hash) cache, and a model change re-encodes."""

import dataclasses

import numpy as np

from triage.embed import Embedder

TEXTS = [
    "A short title.",
    "A much longer text about policy gradients, baselines and variance " * 3,
    "Mid text.",
]


def test_vectors_are_normalised_and_in_input_order(settings):
    emb = Embedder(settings.embeddings)
    together = emb.embed(TEXTS)
    alone = np.stack([emb.embed([t])[0] for t in TEXTS])
    assert together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-4)
    assert np.allclose(together, alone, atol=1e-5)  # sorting by length for batching is undone


def test_rerun_hits_the_cache(settings, store):
    first = Embedder(settings.embeddings, store)
    a = first.embed(TEXTS + [TEXTS[0]])
    assert first.encoded == 3 and store.count_vectors() == 3
    second = Embedder(settings.embeddings, store)
    b = second.embed(TEXTS)
    assert second.encoded == 0 and store.count_vectors() == 3
    assert np.array_equal(a[:3], b)


def test_model_change_reencodes(settings, store, other_model_name):
    Embedder(settings.embeddings, store).embed(TEXTS)
    other = Embedder(dataclasses.replace(settings.embeddings, model=other_model_name), store)
    other.embed(TEXTS)
    assert other.encoded == 3
    assert store.count_vectors(other_model_name) == 3 and store.count_vectors("packaged") == 3
