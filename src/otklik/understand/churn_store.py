"""Trained churn models on disk: trained once (by the worker, or the CLI), read by every process.

Training takes seconds at 50,000 customers, far too long for a page. So the
worker trains in the background and writes the result here, in the data
directory, where every web process, the worker and ``otklik churn`` find it:

    data_dir/models/churn-<database>-h<horizon>-m<min churners>-<as_of>.json

One file per (database, horizon, minimum churners, as_of hour). It holds the
held-out report (AUC, baseline, the ``MAX_LIST`` riskiest customers with their
reasons), the fitted model (the scaler and the coefficients, by feature name)
and the *data version* it was trained on. A reader uses a file as is when its
as_of and data version match today's; otherwise it may show it as the latest
model while a new one is trained. Files are written atomically (temporary
file, then rename), so a reader never sees half a model; the newest ``KEEP``
per (database, horizon, minimum churners) stay, and ``MAX_FILES`` in all.

Example::

    save(directory, key, data_version=v, payload={"report": ..., "model": ...})
    stored = load(directory, key)  # the same as_of, or None
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

FORMAT = 1
KEEP = 6
MAX_FILES = 64  # over all keys: the API may ask for any horizon, each one its own slot
TRAINING_GRACE_SECONDS = 120  # a training asked for less than this ago is not asked for again


def models_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "models"


@dataclass(frozen=True)
class ModelKey:
    """What a trained model answers: this database, this horizon and minimum, as of this hour."""

    database: str  # URL without the password
    horizon_days: int
    min_churners: int
    as_of: datetime

    def slot(self) -> str:
        digest = hashlib.sha256(self.database.encode()).hexdigest()[:12]
        return f"churn-{digest}-h{self.horizon_days}-m{self.min_churners}-"

    def filename(self) -> str:
        return f"{self.slot()}{self.as_of.astimezone(UTC):%Y%m%dT%H%M}.json"


@dataclass(frozen=True)
class Stored:
    """One trained model as read back: its as_of, data version and the saved payload."""

    as_of: datetime
    data_version: list
    trained_at: datetime
    payload: dict

    def matches(self, data_version: list) -> bool:
        return self.data_version == data_version


def version_json(version: tuple) -> list:
    """The data version as stored in JSON (datetimes as ISO text), for comparison."""
    return orjson.loads(orjson.dumps(list(version)))


def save(directory: Path, key: ModelKey, *, data_version: tuple, payload: dict) -> Path:
    """Write atomically, then keep only the newest ``KEEP`` files of the key's slot."""
    directory.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": FORMAT,
        "database": key.database,
        "horizon_days": key.horizon_days,
        "min_churners": key.min_churners,
        "as_of": key.as_of,
        "data_version": list(data_version),
        "trained_at": datetime.now(UTC),
        **payload,
    }
    path = directory / key.filename()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(doc))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in sorted(directory.glob(f"{key.slot()}*.json"), reverse=True)[KEEP:]:
        old.unlink(missing_ok=True)
    models = sorted(directory.glob("churn-*.json"), key=_mtime, reverse=True)
    for old in models[MAX_FILES:]:
        old.unlink(missing_ok=True)
    return path


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed meanwhile by another process
        return 0.0


def load(directory: Path, key: ModelKey) -> Stored | None:
    """The model trained for exactly ``key`` (its as_of), or None."""
    stored = _read(directory / key.filename(), key)
    return stored if stored is not None and stored.as_of == key.as_of else None


def latest(directory: Path, key: ModelKey) -> Stored | None:
    """The newest model of the key's slot with an as_of at or before ``key.as_of``, or None."""
    limit = directory / key.filename()
    for path in sorted(directory.glob(f"{key.slot()}*.json"), reverse=True):
        if path.name <= limit.name:  # names sort by as_of (fixed-width UTC stamp)
            found = _read(path, key)
            if found is not None:
                return found
    return None


def _read(path: Path, key: ModelKey) -> Stored | None:
    try:
        doc = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    if doc.get("format") != FORMAT or doc.get("database") != key.database:
        return None  # another format, or a hash collision of two databases' URLs
    return Stored(
        as_of=datetime.fromisoformat(doc["as_of"]),
        data_version=doc["data_version"],
        trained_at=datetime.fromisoformat(doc["trained_at"]),
        payload=doc,
    )


def ask_for_training(directory: Path, key: ModelKey, *, data_version: tuple) -> bool:
    """True when the caller should ask the worker to train ``key`` on ``data_version``.

    A marker file remembers the last request per key and version, so a page
    viewed every second asks once per ``TRAINING_GRACE_SECONDS``, not every time.
    """
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / f".asked-{key.filename()}"
    wanted = orjson.dumps(list(data_version))
    try:
        fresh = time.time() - marker.stat().st_mtime < TRAINING_GRACE_SECONDS
        if fresh and marker.read_bytes() == wanted:
            return False
    except FileNotFoundError:
        pass
    marker.write_bytes(wanted)
    for old in directory.glob(f".asked-{key.slot()}*"):
        if old != marker:
            old.unlink(missing_ok=True)
    return True


__all__ = ["ModelKey", "Stored", "latest", "load", "models_dir", "save", "version_json"]
