"""Embedder: normalised vectors in input order, a (model and backend, text hash) cache, a model or
backend change re-encodes, and a backend that cannot run falls back to torch with one warning."""

import dataclasses
import logging

import numpy as np
import pytest

from triage import config
from triage.embed import Embedder
from triage.errors import UserError

TEXTS = [
    "A short title.",
    "A much longer text about policy gradients, baselines and variance " * 3,
    "Mid text.",
]


def _stored(store, model: str | None = None) -> int:
    """Vectors the cache holds under `model`, or under any model."""
    sql = "SELECT count(*) FROM embeddings WHERE ? IS NULL OR model = ?"
    return store.conn.execute(sql, (model, model)).fetchone()[0]


def test_vectors_are_normalised_and_in_input_order(settings):
    emb = Embedder(settings.embeddings)
    together = emb.embed(TEXTS)
    alone = np.stack([emb.embed([t])[0] for t in TEXTS])
    assert together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-4)
    # Sorting by length for batching is undone: each row is its own text's vector. int8 activations
    # are quantized per batch, so a text encoded with others differs slightly from it encoded alone.
    agreement = together @ alone.T
    assert list(agreement.argmax(axis=1)) == [0, 1, 2] and agreement.diagonal().min() >= 0.98


def test_rerun_hits_the_cache(settings, store):
    first = Embedder(settings.embeddings, store)
    a = first.embed(TEXTS + [TEXTS[0]])
    assert first.encoded == 3 and _stored(store) == 3
    second = Embedder(settings.embeddings, store)
    b = second.embed(TEXTS)
    assert second.encoded == 0 and _stored(store) == 3
    assert np.array_equal(a[:3], b)


def test_model_change_reencodes(settings, store, other_model_name):
    first = Embedder(settings.embeddings, store)
    first.embed(TEXTS)
    other = Embedder(dataclasses.replace(settings.embeddings, model=other_model_name), store)
    other.embed(TEXTS)
    assert other.encoded == 3 and other.model_name.startswith(other_model_name + "@")
    assert _stored(store, other.model_name) == 3 and _stored(store, first.model_name) == 3


def test_failed_export_falls_back_to_torch_with_one_warning(settings, store, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # the export folder cannot be created inside a file
    cfg = dataclasses.replace(settings.embeddings, backend="onnx-int8", export_dir=str(blocker / "models"))
    torch_vectors = Embedder(dataclasses.replace(settings.embeddings, backend="torch")).embed(TEXTS)
    with caplog.at_level(logging.WARNING, logger="triage.embed"):
        emb = Embedder(cfg, store)
        vectors = emb.embed(TEXTS)
        Embedder(cfg, store).embed(TEXTS)
    warnings = [r.getMessage() for r in caplog.records if r.name == "triage.embed"]
    assert len(warnings) == 1 and "'onnx-int8'" in warnings[0] and "torch instead" in warnings[0]
    assert emb.backend == "torch" and emb.model_name == "packaged"  # torch vectors under the torch key
    assert np.allclose(vectors, torch_vectors, atol=1e-5)
    assert _stored(store, "packaged") == 3 and _stored(store) == 3


def test_unknown_backend_is_refused_naming_the_key(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[embeddings]\nbackend = "tensorrt"\n')
    with pytest.raises(UserError, match=r"\[embeddings\] backend must be one of torch, onnx, onnx-int8"):
        config.load(path)


def test_the_default_backend_is_int8_onnx_exported_into_the_user_cache(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    emb = Embedder(settings.embeddings)
    assert emb.root == tmp_path / "cache" / "paper-triage" / "models"
    assert emb.backend == "onnx-int8" and emb.model_name.startswith("packaged@onnx-int8-")
    assert (emb.root / "packaged-onnx" / "onnx" / "model.onnx").exists()


def test_onnx_backends_export_once_agree_with_torch_and_cache_apart(settings, store, tmp_path, capfd):
    torch_vectors = Embedder(dataclasses.replace(settings.embeddings, backend="torch"), store).embed(TEXTS)
    for backend, floor in (("onnx", 0.9999), ("onnx-int8", 0.98)):
        cfg = dataclasses.replace(settings.embeddings, backend=backend, export_dir=str(tmp_path / "m"))
        emb = Embedder(cfg, store)
        vectors = emb.embed(TEXTS)
        assert (
            emb.backend == backend and emb.model_name.startswith(f"packaged@{backend}") and emb.encoded == 3
        )
        assert (vectors * torch_vectors).sum(axis=1).min() >= floor
        assert _stored(store, emb.model_name) == 3
    assert _stored(store, "packaged") == 3  # torch vectors untouched by the other backends
    assert capfd.readouterr().err.count("Exporting the embedding model to ONNX") == 1  # int8 reuses it
    assert (tmp_path / "m" / "packaged-onnx" / "onnx" / "model.onnx").exists()
