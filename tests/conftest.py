"""Makes tests/ importable, so every suite can share ``dbfixtures`` (SQLite and PostgreSQL)."""
