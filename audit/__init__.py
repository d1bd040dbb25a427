"""Tamper-evident audit trail, kinship checks and inspection (no web framework here)."""
