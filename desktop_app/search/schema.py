"""The Whoosh schemas of the paper index and the notes index, and their version."""

from __future__ import annotations

from whoosh.fields import ID, NUMERIC, TEXT, Schema

from desktop_app.search.analysis import name_analyzer, prose_analyzer

# Bump when a schema or an analyzer changes: an index of another version is rebuilt.
SCHEMA_VERSION = 2

TITLE_BOOST = 2.5

# Fields a query can name that live in the paper index.
INDEX_FIELDS = ("title", "authors", "abstract", "keywords", "venue")
# Fields a plain word searches (besides the side fields tag and note).
DEFAULT_FIELDS = ("title", "abstract", "authors", "keywords")


def paper_schema() -> Schema:
    prose = prose_analyzer()
    return Schema(
        pid=NUMERIC(int, bits=32, signed=False, stored=True, unique=True, sortable=True, shift_step=0),
        title=TEXT(analyzer=prose, field_boost=TITLE_BOOST, phrase=True),
        authors=TEXT(analyzer=name_analyzer(), phrase=False),
        abstract=TEXT(analyzer=prose, phrase=True),
        keywords=TEXT(analyzer=prose, phrase=True),
        venue=TEXT(analyzer=prose, phrase=True),
    )


def note_schema() -> Schema:
    return Schema(
        pid=ID(stored=True, unique=True),
        note=TEXT(analyzer=prose_analyzer(), phrase=True),
    )
