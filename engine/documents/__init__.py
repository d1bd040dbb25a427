"""Printed documents: what each one shows (view models) and how the public ones are built."""
