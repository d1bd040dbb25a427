"""Alembic migrations for the doudi schema."""
