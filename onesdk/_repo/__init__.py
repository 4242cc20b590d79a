"""The query model and the repositories that answer it from Arrow tables."""
