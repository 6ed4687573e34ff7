"""When a stored citation key may change: provisional keys follow the data, pinned keys never do.

A key is provisional when nobody chose it (it is what the formula gives), it was made
without an author or a year, and it was never exported or copied.  Hand-set, imported,
exported and copied keys are pinned (``citekey_state``) and change only on request.
"""

from __future__ import annotations

import sqlite3

from desktop_app.domain.citekeys import (
    DEFAULT_FORMULA,
    check_formula,
    formula_key,
    is_complete_for_key,
    looks_generated,
    unique_key,
)
from desktop_app.domain.models import Paper
from desktop_app.storage import completion as bookkeeping
from desktop_app.storage import organise
from desktop_app.storage import papers as store

FORMULA_SETTING = "citekey.formula"


def formula(conn: sqlite3.Connection) -> str:
    return organise.get_setting(conn, FORMULA_SETTING) or DEFAULT_FORMULA


def set_formula(conn: sqlite3.Connection, value: str) -> None:
    check_formula(value)
    organise.set_setting(conn, FORMULA_SETTING, value)


def is_provisional(paper: Paper, state: bookkeeping.KeyState | None, key_formula: str) -> bool:
    if state is not None and (state.pinned or state.exported):
        return False
    return not is_complete_for_key(paper) and looks_generated(paper.citekey, paper, key_formula)


def fresh_key(conn: sqlite3.Connection, paper: Paper, key_formula: str) -> str:
    """The formula's key for ``paper``, made unique against every other paper's key."""
    def taken(key: str) -> bool:
        other = store.id_for_citekey(conn, key)
        return other is not None and other != paper.id
    return unique_key(formula_key(paper, key_formula), taken)


def key_after_change(conn: sqlite3.Connection, before: Paper, after: Paper) -> str | None:
    """The new key when ``before`` had a provisional key and ``after`` now has author and year."""
    if before.citekey != after.citekey or not is_complete_for_key(after):
        return None
    key_formula = formula(conn)
    state = bookkeeping.key_states(conn, [before.id or 0]).get(before.id or 0)
    if not is_provisional(before, state, key_formula):
        return None
    return fresh_key(conn, after, key_formula)
