"""Typed analysis examples that run on the embedded sample (see README.md here)."""
