"""The domain: cases, workflow, rules and services (no web framework here)."""
