"""The SQLite schema as numbered migrations; ``PRAGMA user_version`` says which have run."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: papers, tags, reading lists, notes, saved searches, settings, the index queue
    """
    CREATE TABLE papers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        citekey TEXT NOT NULL COLLATE NOCASE UNIQUE,
        entry_type TEXT NOT NULL DEFAULT 'misc',
        title TEXT NOT NULL DEFAULT '',
        authors TEXT NOT NULL DEFAULT '[]',
        author_line TEXT NOT NULL DEFAULT '',
        year INTEGER,
        month INTEGER,
        venue TEXT NOT NULL DEFAULT '',
        volume TEXT NOT NULL DEFAULT '',
        number TEXT NOT NULL DEFAULT '',
        pages TEXT NOT NULL DEFAULT '',
        publisher TEXT NOT NULL DEFAULT '',
        doi TEXT NOT NULL DEFAULT '',
        arxiv_id TEXT NOT NULL DEFAULT '',
        arxiv_class TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        code_url TEXT NOT NULL DEFAULT '',
        abstract TEXT NOT NULL DEFAULT '',
        keywords TEXT NOT NULL DEFAULT '[]',
        extra_fields TEXT NOT NULL DEFAULT '{}',
        added TEXT NOT NULL,
        modified TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'unread' CHECK (status IN ('unread', 'reading', 'read')),
        priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),
        title_key TEXT NOT NULL DEFAULT '',
        author_key TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX papers_arxiv ON papers(arxiv_id) WHERE arxiv_id != '';
    CREATE INDEX papers_doi ON papers(lower(doi)) WHERE doi != '';
    CREATE INDEX papers_title_key ON papers(title_key);
    CREATE INDEX papers_year ON papers(year);
    CREATE INDEX papers_added ON papers(added);
    CREATE INDEX papers_status ON papers(status);

    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE
    );
    CREATE TABLE paper_tags (
        paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (paper_id, tag_id)
    ) WITHOUT ROWID;
    CREATE INDEX paper_tags_by_tag ON paper_tags(tag_id, paper_id);

    CREATE TABLE lists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        position INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    );
    CREATE TABLE list_items (
        list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
        paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (list_id, paper_id)
    ) WITHOUT ROWID;
    CREATE INDEX list_items_by_paper ON list_items(paper_id);

    CREATE TABLE notes (
        paper_id INTEGER PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        modified TEXT NOT NULL
    );

    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        query TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    -- Papers whose index documents are behind SQLite; the indexer drains it.
    CREATE TABLE index_queue (
        paper_id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL
    );
    -- Notes whose entries in the notes index are behind SQLite.
    CREATE TABLE note_queue (
        paper_id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL
    );
    """,
    # The Trash: deleted papers and reading lists, restorable until the Trash is emptied.  A
    # trashed paper leaves ``papers`` (so no view, search, count or export sees it) and keeps
    # here its row, tags, list places and note as JSON; paper ids are never reused (AUTOINCREMENT),
    # so it comes back under its own id.  Things deleted together share a ``deletion`` number.
    """
    CREATE TABLE trash_papers (
        paper_id INTEGER PRIMARY KEY,
        deletion INTEGER NOT NULL,
        deleted TEXT NOT NULL,
        citekey TEXT NOT NULL,
        title TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX trash_papers_by_deletion ON trash_papers(deletion);
    CREATE TABLE trash_lists (
        id INTEGER PRIMARY KEY,
        deletion INTEGER NOT NULL,
        deleted TEXT NOT NULL,
        list_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        created TEXT NOT NULL,
        items TEXT NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
