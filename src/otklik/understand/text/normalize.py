"""Make any comment safe to analyse: decoded, normalised, bounded in length.

HTML and script tags are *kept as text*: they are what the customer sent, and
the UI escapes them when showing the comment. Only invisible control
characters are removed, because they break CSV exports and tokenisers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 10_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class CleanText:
    text: str
    truncated: bool
    original_length: int

    @property
    def has_letters(self) -> bool:
        """False for empty, emoji-only or digits-only comments."""
        return bool(_LETTER.search(self.text))


def clean_text(text: str | bytes | None, *, max_chars: int = MAX_CHARS) -> CleanText:
    """Normalise (NFC), drop control characters, and truncate past `max_chars`.

    Bytes are decoded as UTF-8 with replacement, so a bad import row still
    gets analysed instead of crashing a batch.
    """
    if text is None:
        return CleanText("", False, 0)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFC", str(text))
    text = _CONTROL.sub(" ", text).strip()
    original = len(text)
    if original > max_chars:
        cut = text.rfind(" ", max_chars - 200, max_chars)
        text = text[: cut if cut > 0 else max_chars].rstrip()
        return CleanText(text, True, original)
    return CleanText(text, False, original)
