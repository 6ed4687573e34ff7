"""Whether a library is a replica of a shared (team) library, without loading the PostgreSQL client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.storage import outbox

if TYPE_CHECKING:
    from desktop_app.core.facade.base import LibraryBase


def is_shared(library: LibraryBase) -> bool:
    """True when ``lectern share`` or ``join`` linked this library to a server."""
    return outbox.link(library.db.conn) is not None
