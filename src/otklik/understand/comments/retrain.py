"""Analyst corrections feed back into this installation's models (`otklik text retrain`).

* Sentiment: each corrected comment's embedding joins its class in the
  zero-shot prototype head (a running mean with the shipped prototypes, each
  correction weighing as much as one shipped prototype), written to
  ``DATA_DIR/text_model/sentiment_local.npz``; the trained head is kept.
* Themes: a comment an analyst tagged with a theme becomes one of that
  theme's examples (the semantic matcher's centroid), up to 40 per theme.
Both change the model version, so the next ``otklik text run`` re-analyses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.understand.comments.enrich import local_model_path
from otklik.understand.comments.models import TextCorrection, TextTheme
from otklik.understand.text.prototypes import PROTOTYPES
from otklik.understand.text.sentiment import CLASSES

MAX_EXAMPLES = 40


@dataclass
class RetrainReport:
    sentiment_examples: int
    theme_examples: int
    path: Path


def retrain(*, session: Session, data_dir: Path, embed=None) -> RetrainReport:
    if embed is None:
        from otklik.understand.text.embed import shared_embedder

        embed = shared_embedder().embed
    latest: dict[int, TextCorrection] = {}
    for c in session.scalars(select(TextCorrection).order_by(TextCorrection.id)):
        latest[c.response_id] = c  # the newest label of a comment wins
    labelled = [(c.text, c.sentiment) for c in latest.values() if c.sentiment and c.text.strip()]

    shipped = files("otklik.understand.text") / "data" / "sentiment_e5.npz"
    with np.load(str(shipped)) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"]))
    centroids = arrays["centroids"].astype(np.float64)
    if labelled:
        vecs = embed([t for t, _ in labelled])
        for ci, cls in enumerate(CLASSES):
            rows = [v for v, (_, lab) in zip(vecs, labelled, strict=True) if lab == cls]
            if not rows:
                continue
            n_shipped = sum(len(ts) for ts in PROTOTYPES[cls].values())
            mixed = centroids[ci] * n_shipped + np.sum(rows, axis=0)
            centroids[ci] = mixed / np.linalg.norm(mixed)
    meta["local_corrections"] = len(labelled)
    arrays["centroids"] = centroids.astype(np.float32)
    arrays["meta"] = np.array(json.dumps(meta))
    path = local_model_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)

    added = 0
    themes = {t.key: t for t in session.scalars(select(TextTheme))}
    for c in latest.values():
        for key in c.themes or ():
            theme = themes.get(key)
            text = c.text.strip()[:300]
            if theme is None or not text or text in theme.examples:
                continue
            if len(theme.examples) < MAX_EXAMPLES:
                theme.examples = [*theme.examples, text]
                added += 1
    session.commit()
    return RetrainReport(len(labelled), added, path)
