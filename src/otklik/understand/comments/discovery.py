"""Discovery of new themes: cluster comments that match no theme.

k-means on the e5 embeddings of the most recent unmatched comments; each
cluster is named by its most *distinctive* lemmas (frequent in the cluster,
rare in the other unmatched comments) and shown with the comments nearest its
centre. An analyst promotes a useful cluster into the taxonomy.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from otklik.errors import NotFound, ValidationFailed
from otklik.understand.comments.models import ResponseText, ResponseTheme, TextCluster, TextTheme
from otklik.understand.text.morph import is_stopword, lemmatize

MIN_CLUSTER = 4


def _distinctive(texts_in: list[list[str]], texts_out: list[list[str]], top: int = 4) -> list[str]:
    inside = Counter(w for ws in texts_in for w in set(ws))
    outside = Counter(w for ws in texts_out for w in set(ws))
    n_in, n_out = max(len(texts_in), 1), max(len(texts_out), 1)
    score = {
        w: (c / n_in) * math.log((c / n_in + 0.01) / (outside[w] / n_out + 0.01))
        for w, c in inside.items()
        if c >= 2 and len(w) > 2 and not is_stopword(w) and not w.startswith("[")
    }
    return [w for w, _ in sorted(score.items(), key=lambda kv: -kv[1])[:top]]


def discover_themes(
    *, session: Session, limit: int = 2000, clusters: int | None = None, embed=None, seed: int = 0
) -> list[TextCluster]:
    """Replace the unpromoted clusters with fresh ones from the latest unmatched comments."""
    from sklearn.cluster import KMeans

    if embed is None:
        from otklik.understand.text.embed import shared_embedder

        embed = shared_embedder().embed
    has_theme = exists().where(ResponseTheme.response_id == ResponseText.response_id)
    rows = session.execute(
        select(ResponseText.response_id, ResponseText.redacted_text)
        .where(~has_theme, ResponseText.redacted_text != "")
        .order_by(ResponseText.response_id.desc())
        .limit(limit)
    ).all()
    rows = [(rid, t) for rid, t in rows if any(ch.isalpha() for ch in t)]
    session.execute(delete(TextCluster).where(TextCluster.promoted_theme_id.is_(None)))
    if len(rows) < 2 * MIN_CLUSTER:
        session.commit()
        return []
    vectors = np.asarray(embed([t for _, t in rows]), dtype=np.float64)
    k = clusters or int(min(12, max(2, round(math.sqrt(len(rows) / 4)))))
    km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(vectors)
    lemmas = [lemmatize(t) for _, t in rows]
    out = []
    for c in range(k):
        members = np.flatnonzero(km.labels_ == c)
        if len(members) < MIN_CLUSTER:
            continue
        others = np.flatnonzero(km.labels_ != c)
        terms = _distinctive([lemmas[i] for i in members], [lemmas[i] for i in others])
        dist = np.linalg.norm(vectors[members] - km.cluster_centers_[c], axis=1)
        nearest = members[np.argsort(dist)[:5]]
        cluster = TextCluster(
            label=", ".join(terms[:3]) or rows[int(nearest[0])][1][:60],
            size=len(members),
            terms=terms,
            examples=[{"id": int(rows[i][0]), "text": rows[i][1][:300]} for i in nearest],
            response_ids=[int(rows[i][0]) for i in members],
        )
        session.add(cluster)
        out.append(cluster)
    session.commit()
    return sorted(out, key=lambda c: -c.size)


def promote_cluster(
    *, session: Session, cluster_id: int, key: str, name_ru: str, name_en: str, keywords: list[str]
) -> TextTheme:
    """Turn a cluster into a taxonomy theme (its examples seed the semantic matcher)."""
    from otklik.understand.comments.taxonomy import create_theme

    cluster = session.get(TextCluster, cluster_id)
    if cluster is None:
        raise NotFound(f"cluster {cluster_id} does not exist")
    if cluster.promoted_theme_id is not None:
        raise ValidationFailed("this cluster is already in the taxonomy", field="cluster_id")
    theme = create_theme(
        session=session,
        key=key,
        name_ru=name_ru,
        name_en=name_en,
        keywords=keywords or list(cluster.terms[:3]),
        examples=[e["text"] for e in cluster.examples],
        origin="discovered",
    )
    cluster.promoted_theme_id = theme.id
    session.commit()
    return theme
