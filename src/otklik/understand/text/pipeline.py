"""The whole analysis of comments, in batches: clean → language → PII → mentions →
themes → sentiment (comment and per theme).

Pure over its inputs: texts in, `CommentAnalysis` out; no database. The job
that enriches stored responses and the `otklik text analyze` command both call
`TextAnalyzer.analyze_batches` (the embedding of one batch overlaps the Python work on
its neighbours). Speed comes from one embedding call per batch (with a
cache for repeated comments), clause embeddings only where a comment talks
about themes in different clauses, and a cheap first stage (`scan`) that needs
no model at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from otklik.understand.text.fastsent import allowed_alone, reads
from otklik.understand.text.lang import LanguageGuess, detect_language
from otklik.understand.text.mentions import EmployeeDirectory, Mention
from otklik.understand.text.normalize import MAX_CHARS, CleanText, clean_text
from otklik.understand.text.pii import Redaction, redact
from otklik.understand.text.sentiment import (
    NEUTRAL,
    Sentiment,
    SentimentModel,
    emoji_sentiment,
)
from otklik.understand.text.taxonomy import DEFAULT_TAXONOMY, Taxonomy
from otklik.understand.text.themes import ThemeMatcher, split_clauses


@dataclass(frozen=True)
class AnalyzerSettings:
    redact_pii: bool = True
    redact_names: bool = True
    keep_employee_names: bool = True  # so praise can still be credited
    use_ner: bool = False  # add natasha's Slovnet NER to the name dictionary (slower)
    semantic_themes: bool = True
    fast_first: bool = True  # English: n-gram stage, embedding only when unsure
    max_chars: int = MAX_CHARS


@dataclass(frozen=True, slots=True)
class ThemeResult:
    key: str
    name_ru: str
    name_en: str
    sentiment: Sentiment
    via: str  # "keyword" or "semantic"
    terms: tuple[str, ...] = ()  # matched keyword lemmas (empty for semantic matches)
    similarity: float = 0.0


@dataclass(frozen=True)
class CommentAnalysis:
    language: str
    mixed_language: bool
    redacted_text: str
    pii_counts: dict[str, int]
    truncated: bool
    original_length: int
    sentiment: Sentiment
    themes: tuple[ThemeResult, ...] = ()
    mentions: tuple[Mention, ...] = ()
    empty: bool = False  # no words at all (blank, emoji or digits only)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_row(self) -> dict[str, Any]:
        """Flat form for CSV export and, later, the enrichment tables."""
        return {
            "language": self.language,
            "sentiment": self.sentiment.label,
            "sentiment_score": f"{self.sentiment.score:.3f}",
            "themes": ";".join(t.key for t in self.themes),
            "redacted_text": self.redacted_text,
            "truncated": "yes" if self.truncated else "",
            "pii": ";".join(f"{k}={v}" for k, v in sorted(self.pii_counts.items())),
            "mentions": ";".join(m.employee_id for m in self.mentions if m.employee_id),
        }


@dataclass(frozen=True, slots=True)
class Scan:
    """The model-free first stage: safe text, its language and its redaction."""

    clean: CleanText
    language: LanguageGuess
    redaction: Redaction


def scan(
    text: str | bytes | None,
    *,
    settings: AnalyzerSettings = AnalyzerSettings(),
    keep_names: frozenset[str] = frozenset(),
    ner=None,
) -> Scan:
    """Clean, detect language and redact one comment (thousands per second)."""
    clean = clean_text(text, max_chars=settings.max_chars)
    lang = detect_language(clean.text)
    if settings.redact_pii and clean.text:
        red = redact(clean.text, names=settings.redact_names, keep_names=keep_names, ner=ner)
    else:
        red = Redaction(clean.text, {})
    return Scan(clean, lang, red)


def _ngram_reads(s: Scan, text: str) -> bool:
    """English only (the n-gram stage knows no Russian, so mixed comments go to e5), and
    not a short comment that turns on "but" (fastsent.reads)."""
    return s.language.language == "en" and not s.language.mixed and reads(text)


@dataclass
class _Prepared:
    """A batch between `TextAnalyzer._prepare` and `_finish`: what was scanned, and which
    texts go to the embedder (rows tagged +n) or only to the n-gram stage (−n)."""

    scans: list[Scan]
    clauses: list[list[str]]
    requests: list[str] = field(default_factory=list)
    ngram: list[bool] = field(default_factory=list)  # per request: the n-gram stage joins
    fast_requests: list[str] = field(default_factory=list)
    comment_row: list[int | None] = field(default_factory=list)
    clause_rows: list[dict[int, int]] = field(default_factory=list)


class TextAnalyzer:
    """Loaded models plus taxonomy and directory; reuse one per process.

    >>> TextAnalyzer().analyze(["Курьер опоздал на два часа"])[0].themes[0].key
    'delivery'
    """

    def __init__(
        self,
        *,
        taxonomy: Taxonomy = DEFAULT_TAXONOMY,
        directory: EmployeeDirectory | None = None,
        settings: AnalyzerSettings = AnalyzerSettings(),
        embedder=None,
        sentiment_model: SentimentModel | None = None,
    ) -> None:
        from otklik.understand.text.embed import shared_embedder

        self.settings = settings
        self.directory = directory or EmployeeDirectory(())
        self.embedder = embedder or shared_embedder()
        self.sentiment_model = sentiment_model or SentimentModel()
        self.matcher = ThemeMatcher(
            taxonomy,
            embed=self.embedder.embed if settings.semantic_themes else None,
            # "Generic feedback" = the mean of the shipped sentiment prototypes.
            generic=self.sentiment_model.centroids.mean(axis=0),
        )
        self.analyzed = self.embedded = 0  # counters: how many comments needed e5
        self.fast = None
        if settings.fast_first:
            from otklik.understand.text.fastsent import FastSentiment

            self.fast = FastSentiment()
        self._keep = self.directory.keep_names() if settings.keep_employee_names else frozenset()
        self._ner = None
        if settings.use_ner:
            from otklik.understand.text.names import SlovnetNames

            self._ner = SlovnetNames()

    def _neutral_bias(self, p: np.ndarray) -> np.ndarray:
        p = p * np.array([1.0, np.exp(self.fast.neutral_bias), 1.0])
        return p / p.sum(axis=1, keepdims=True)

    def _fast_decided(self, scans: Sequence[Scan]) -> set[int]:
        """English comments whose n-gram verdict is confident enough to stand alone."""
        if self.fast is None:
            return set()
        idx = [
            i
            for i, s in enumerate(scans)
            if s.clean.has_letters and _ngram_reads(s, s.redaction.text)
        ]
        if not idx:
            return set()
        texts = [scans[i].redaction.text for i in idx]
        raw = self.fast.probabilities(texts)
        sure = self._neutral_bias(raw).max(axis=1) >= self.fast.threshold
        sure &= allowed_alone(texts, raw, self.fast.probabilities)
        return {i for i, ok in zip(idx, sure, strict=True) if ok}

    def scan(self, text: str | bytes | None) -> Scan:
        return scan(text, settings=self.settings, keep_names=self._keep, ner=self._ner)

    def analyze(self, texts: Sequence[str | bytes | None]) -> list[CommentAnalysis]:
        """Analyse a batch; results are in input order, one per text."""
        prepared = self._prepare(texts)
        return self._finish(prepared, self._embed(prepared))

    def analyze_batches(
        self, batches: Iterable[Sequence[str | bytes | None]]
    ) -> Iterator[list[CommentAnalysis]]:
        """`analyze` each batch, in order, with the embedding of one batch running in a
        thread while this one finishes the batch before and prepares the next.

        Why: the e5 engine is C called through ctypes, which lets the GIL go, while
        everything around it is Python on one core; one batch after the other kept 2
        cores ~1.3 busy. The caller may store a batch's results between two batches:
        that overlaps with the next embedding too.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="otklik-embed") as pool:
            waiting: tuple[_Prepared, Future[np.ndarray]] | None = None
            for texts in batches:
                prepared = self._prepare(texts)
                future = pool.submit(self._embed, prepared)
                if waiting is not None:
                    yield self._finish(waiting[0], waiting[1].result())
                waiting = prepared, future
            if waiting is not None:
                yield self._finish(waiting[0], waiting[1].result())

    def _prepare(self, texts: Sequence[str | bytes | None]) -> _Prepared:
        """Everything before the embedding: scan, clauses, keyword themes, what to embed."""
        scans = [self.scan(t) for t in texts]
        clauses = [split_clauses(s.redaction.text) for s in scans]
        keyword_hits = [
            [self.matcher.keyword_themes(c) for c in cl] if s.clean.has_letters else []
            for s, cl in zip(scans, clauses, strict=True)
        ]
        # One embedding call for every comment with words, plus the clauses that carry
        # themes when a comment has more than one clause (for aspect sentiment).
        # English comments the n-gram stage is sure about skip the embedding.
        sure = self._fast_decided(scans)
        p = _Prepared(scans, clauses)
        for i, (s, cl, hits) in enumerate(zip(scans, clauses, keyword_hits, strict=True)):
            if not s.clean.has_letters:
                p.comment_row.append(None)
                p.clause_rows.append({})
                continue
            target, tag = (p.fast_requests, -1) if i in sure else (p.requests, 1)
            p.comment_row.append(tag * (len(target) + 1))
            target.append(s.redaction.text)
            if target is p.requests:
                p.ngram.append(_ngram_reads(s, s.redaction.text))
            rows = {}
            if len(cl) > 1:
                for ci, found in enumerate(hits):
                    if found:
                        rows[ci] = tag * (len(target) + 1)
                        target.append(cl[ci])
                        if target is p.requests:
                            p.ngram.append(_ngram_reads(s, cl[ci]))
            p.clause_rows.append(rows)
        return p

    def _embed(self, p: _Prepared) -> np.ndarray:
        return self.embedder.embed(p.requests) if p.requests else np.zeros((0, 384))

    def _finish(self, p: _Prepared, vectors: np.ndarray) -> list[CommentAnalysis]:
        """Everything after the embedding: sentiment, themes, the results in input order."""
        requests, fast_requests = p.requests, p.fast_requests
        self.analyzed += len(p.scans)
        self.embedded += sum(1 for r in p.comment_row if r is not None and r > 0)
        probs = self.sentiment_model.probabilities(vectors)
        if self.fast is not None and any(p.ngram):
            en = np.flatnonzero(p.ngram)
            p_fast = self.fast.probabilities([requests[j] for j in en])
            w = self.fast.weight
            probs[en] = self._neutral_bias((1 - w) * probs[en] + w * p_fast)
        # Rows: embedded ones first, then the n-gram-only ones (zero vectors: no
        # semantic theme for those; keywords still apply).
        n_embedded = len(requests)
        if fast_requests:
            probs = np.vstack([probs, self._neutral_bias(self.fast.probabilities(fast_requests))])
            vectors = np.vstack([vectors, np.zeros((len(fast_requests), vectors.shape[1] or 384))])

        def row_index(tagged: int | None) -> int | None:
            if tagged is None:
                return None
            return tagged - 1 if tagged > 0 else n_embedded + (-tagged - 1)

        comment_row = [row_index(r) for r in p.comment_row]
        clause_rows = [{c: row_index(r) for c, r in rows.items()} for rows in p.clause_rows]
        return [
            self._assemble(s, p.clauses[i], comment_row[i], clause_rows[i], vectors, probs)
            for i, s in enumerate(p.scans)
        ]

    def analyze_one(self, text: str | bytes | None) -> CommentAnalysis:
        return self.analyze([text])[0]

    def _assemble(self, s: Scan, clauses, row, clause_rows, vectors, probs) -> CommentAnalysis:
        notes = []
        if s.clean.truncated:
            notes.append(f"truncated from {s.clean.original_length} characters")
        mentions = tuple(self.directory.find(s.clean.text)) if s.clean.has_letters else ()
        base = dict(
            language=s.language.language,
            mixed_language=s.language.mixed,
            redacted_text=s.redaction.text,
            pii_counts=s.redaction.counts,
            truncated=s.clean.truncated,
            original_length=s.clean.original_length,
            mentions=mentions,
        )
        if row is None:
            sentiment = emoji_sentiment(s.clean.text) if s.clean.text else NEUTRAL
            return CommentAnalysis(sentiment=sentiment, empty=True, notes=tuple(notes), **base)
        sentiment = Sentiment.from_probabilities(probs[row])
        themes = []
        for match in self.matcher.match(clauses, vectors[row]):
            rows = [clause_rows[c] for c in match.clauses if c in clause_rows]
            aspect = Sentiment.from_probabilities(probs[rows].mean(axis=0)) if rows else sentiment
            theme = self.matcher.taxonomy.get(match.key)
            themes.append(
                ThemeResult(
                    theme.key,
                    theme.name_ru,
                    theme.name_en,
                    aspect,
                    match.via,
                    match.terms,
                    match.similarity,
                )
            )
        return CommentAnalysis(
            sentiment=sentiment, themes=tuple(themes), notes=tuple(notes), **base
        )
