"""Repository-wide pytest configuration (personas and fixtures live in tests/ and each domain)."""
