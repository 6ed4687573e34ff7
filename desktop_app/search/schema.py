"""The Whoosh schemas of the paper index and the notes index, and their version."""

from __future__ import annotations

from whoosh.fields import ID, NUMERIC, TEXT, Schema

from desktop_app.search.analysis import name_analyzer, prose_analyzer, title_words_analyzer

# Bump when a schema or an analyzer changes: an index of another version is rebuilt.
# 3: British spellings folded to American; title_all (titles with stop words); no index-time title boost.
SCHEMA_VERSION = 3

# Query-time weight of a title match against one in the abstract (chosen with tests/benchmarks/eval_search.py).
TITLE_BOOST = 2.5
FIELD_WEIGHTS = {"title": TITLE_BOOST, "abstract": 1.0, "keywords": 1.0, "authors": 1.0, "venue": 1.0}
# A stop word of a mixed query found in a title adds this (never required).  0.3 ranked no known-item
# query better than 0 (eval_search, 800 titles) and read the big title postings of "the", "of", "for".
STOP_WORD_WEIGHT = 0.0

# Fields a query can name that live in the paper index.
INDEX_FIELDS = ("title", "authors", "abstract", "keywords", "venue")
# Fields a plain word searches (besides the side fields tag and note).
DEFAULT_FIELDS = ("title", "abstract", "authors", "keywords")


def paper_schema() -> Schema:
    prose = prose_analyzer()
    return Schema(
        pid=NUMERIC(int, bits=32, signed=False, stored=True, unique=True, sortable=True, shift_step=0),
        title=TEXT(analyzer=prose, phrase=True),
        title_all=TEXT(analyzer=title_words_analyzer(), phrase=True),
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
