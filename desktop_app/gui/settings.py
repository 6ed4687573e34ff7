"""Persistent UI state (window geometry, splitters, columns, recent searches) in QSettings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Lectern"
APPLICATION = "Lectern"


def ui_settings() -> QSettings:
    """The user's UI settings, in the default format (tests point that at a temporary folder)."""
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


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
