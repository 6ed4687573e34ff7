"""Persistent UI state (window geometry, splitters, columns, sort, recent searches) in QSettings.

Most of it is the user's, whatever library is open; what belongs to one library (its recent
searches) lives under a key of that library (``library_key``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt

from desktop_app.gui.table_model import COLUMN, COLUMNS

ORGANIZATION = "Lectern"
APPLICATION = "Lectern"


def ui_settings() -> QSettings:
    """The user's UI settings, in the default format (tests point that at a temporary folder)."""
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


HEADER_KEY = "table/columns"  # "table/header" held the 7-column header of earlier versions


def library_key(directory: Path, key: str) -> str:
    """``key`` for one library: ``libraries/<digest of its path>/key``."""
    digest = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    return f"libraries/{digest}/{key}"


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    value: Any = settings.value(key)
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def read_list(settings: QSettings, key: str) -> list[str]:
    value: Any = settings.value(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if str(v)]


def read_sort(settings: QSettings) -> tuple[int, Qt.SortOrder] | None:
    """The table's sort column and order as saved by ``write_sort``; None for the original order.

    The column is stored by its key (``title``), not its number, so a column added later
    does not shift a saved sort onto the wrong one.
    """
    key = settings.value("table/sort_column")
    if not isinstance(key, str) or key not in COLUMN:
        return None
    order = settings.value("table/sort_order")
    descending = isinstance(order, str) and order == "descending"
    return COLUMN[key], Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder


def write_sort(settings: QSettings, column: int, order: Qt.SortOrder) -> None:
    if 0 <= column < len(COLUMNS):
        settings.setValue("table/sort_column", COLUMNS[column].key)
        settings.setValue("table/sort_order",
                          "descending" if order == Qt.SortOrder.DescendingOrder else "ascending")
    else:
        settings.remove("table/sort_column")
        settings.remove("table/sort_order")
