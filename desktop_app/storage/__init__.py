"""SQLite storage: the source of truth for papers, tags, lists, notes and settings."""
