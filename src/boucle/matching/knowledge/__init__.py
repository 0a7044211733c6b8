"""What activities consume and produce: the knowledge behind inferred needs (see SOURCES.md)."""
