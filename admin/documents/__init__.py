"""Printed documents: templates rendered by WeasyPrint, issued with a verification code."""
