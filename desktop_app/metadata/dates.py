"""Year and month out of the services' date forms (ISO strings, Crossref ``date-parts``)."""

from __future__ import annotations

import re
from typing import Any

_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?")


def year_month(value: Any) -> tuple[int | None, int | None]:
    """``2023-10-02T00:00:00.000Z`` -> (2023, 10); anything unreadable -> (None, None)."""
    if not isinstance(value, str):
        return None, None
    match = _ISO.match(value.strip())
    if not match:
        return None, None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    if not 1000 <= year <= 9999:
        return None, None
    return year, month if month and 1 <= month <= 12 else None


def from_date_parts(value: Any) -> tuple[int | None, int | None]:
    """Crossref ``{"date-parts": [[2024, 5, 8]]}`` -> (2024, 5)."""
    try:
        parts = value["date-parts"][0]
        year = int(parts[0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None, None
    month = None
    if len(parts) > 1:
        try:
            month = int(parts[1])
        except (TypeError, ValueError):
            month = None
    if not 1000 <= year <= 9999:
        return None, None
    return year, month if month and 1 <= month <= 12 else None
