"""Dates that importers meet: ISO timestamps (``2024-10-02T17:57:34Z``) to year and month."""

from __future__ import annotations

import re

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})")


def iso_year_month(value: str) -> tuple[int | None, int | None]:
    """``(2024, 10)`` for ``2024-10-02...``; ``(None, None)`` when the text is no ISO date."""
    match = _ISO_DATE.match(value)
    if not match:
        return None, None
    year, month = int(match.group(1)), int(match.group(2))
    return (year or None), (month if 1 <= month <= 12 else None)
