"""The SQLite schema as numbered migrations; ``PRAGMA user_version`` says which have run."""

from __future__ import annotations

from desktop_app.storage.outbox import OUTBOX_MIGRATION, SHARED_REVIEWS_MIGRATION

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
    # attached files (issue 15): a paper's PDFs, supplements and slides, and the full-text queue.
    # No foreign key to papers: a deleted paper's file rows (and files on disk) stay, so undoing
    # the delete or restoring it from the Trash brings them back; purging deletes them for good.
    """
    CREATE TABLE files (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        paper_id INTEGER NOT NULL,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'paper' CHECK (kind IN ('paper', 'supplement', 'slides')),
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        linked INTEGER NOT NULL DEFAULT 0 CHECK (linked IN (0, 1)),
        pages INTEGER,
        text_status TEXT NOT NULL DEFAULT 'pending',
        added TEXT NOT NULL,
        UNIQUE (paper_id, sha256)
    );
    CREATE INDEX files_by_paper ON files(paper_id);
    CREATE INDEX files_by_hash ON files(sha256);
    -- Files whose pages are behind the full-text index (added, changed or removed).
    CREATE TABLE fulltext_queue (
        file_id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL
    );
    """,
    # sync: the link to a shared library, shared ids, the outbox its triggers fill, conflicts
    OUTBOX_MIGRATION,
    # review: systematic reviews, their record sources and records, append-only decisions
    """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        question TEXT NOT NULL DEFAULT '',
        inclusion_criteria TEXT NOT NULL DEFAULT '',
        exclusion_criteria TEXT NOT NULL DEFAULT '',
        include_keywords TEXT NOT NULL DEFAULT '[]',
        exclude_keywords TEXT NOT NULL DEFAULT '[]',
        exclusion_reasons TEXT NOT NULL DEFAULT '[]',
        blind INTEGER NOT NULL DEFAULT 1,
        random_order INTEGER NOT NULL DEFAULT 0,
        stop_after_irrelevant INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    );
    CREATE TABLE review_sources (
        id INTEGER PRIMARY KEY,
        review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('list', 'query', 'import')),
        label TEXT NOT NULL,
        records INTEGER NOT NULL,
        duplicates INTEGER NOT NULL DEFAULT 0,
        added TEXT NOT NULL
    );
    CREATE TABLE review_records (
        review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        paper_id INTEGER NOT NULL,  -- no foreign key: a trashed paper keeps its place and decisions
        source_id INTEGER REFERENCES review_sources(id) ON DELETE SET NULL,
        PRIMARY KEY (review_id, paper_id)
    ) WITHOUT ROWID;
    -- Append-only: a reviewer's latest row per record and stage counts; undo withdraws a row.
    CREATE TABLE review_decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        paper_id INTEGER NOT NULL,
        stage TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
        reviewer TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('include', 'exclude', 'maybe')),
        reason TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        decided TEXT NOT NULL,
        final INTEGER NOT NULL DEFAULT 0,
        withdrawn INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX review_decisions_by_record ON review_decisions(review_id, paper_id, stage);
    CREATE INDEX review_decisions_by_reviewer ON review_decisions(review_id, reviewer, id);
    """,
    # metadata completion (issue 14): citation-key pins, where fields came from, what still waits.
    # No foreign keys on purpose: a trashed paper keeps its rows and gets them back when restored
    # under its own id (ids are never reused); emptying the Trash drops them.
    """
    CREATE TABLE citekey_state (
        paper_id INTEGER PRIMARY KEY,
        pinned INTEGER NOT NULL DEFAULT 0,
        exported INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE metadata_sources (
        paper_id INTEGER NOT NULL,
        source TEXT NOT NULL,
        fields TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (paper_id, source)
    ) WITHOUT ROWID;
    CREATE TABLE completion_state (
        paper_id INTEGER PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('done', 'proposed', 'not_found', 'error')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_attempt TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        proposal TEXT NOT NULL DEFAULT ''
    );
    """,
    # sync (issue 17): reviews, their records and decisions, and files' metadata join the outbox
    SHARED_REVIEWS_MIGRATION,
)

SCHEMA_VERSION = len(MIGRATIONS)
