"""The Whoosh full-text index: derived from SQLite, rebuildable, hidden behind this package."""
