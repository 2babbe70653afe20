"""Engine, unit of work, dialect-specific SQL and the repository base."""
