"""Text normalisation shared by keys, duplicate detection and sorting."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[A-Za-z0-9]+")

# Words that never make a citation key readable (``a``, ``the``, ``towards``...).
STOP_WORDS = frozenset(
    """a an and are as at be by can do does for from how in into is it its of on or our
    over the their this to toward towards under via vs we what when where which who why
    with without you your""".split()
)


def fold_ascii(text: str) -> str:
    """``Dörner`` -> ``Dorner``, ``Łukasz`` -> ``Lukasz``, ``ß`` -> ``ss``."""
    return anyascii(unicodedata.normalize("NFC", text))


def normalise_title(title: str) -> str:
    """A comparison key for titles: folded, lower case, punctuation and spaces dropped."""
    return _NON_ALNUM.sub("", fold_ascii(title).lower())


def ascii_words(text: str) -> list[str]:
    return _WORD.findall(fold_ascii(text))


def significant_words(title: str) -> list[str]:
    """Title words worth putting in a key, lower case: stop words and digits dropped."""
    words = [w.lower() for w in ascii_words(title)]
    return [w for w in words if w not in STOP_WORDS and not w.isdigit()]
