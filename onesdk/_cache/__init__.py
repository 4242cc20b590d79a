"""The ONE cache tables: read, write and build them (private; used by One and OneAlyx)."""

from onesdk._cache._io import CacheTables, empty_tables, read_tables, write_tables
from onesdk._cache._make import make_cache

__all__ = ["CacheTables", "empty_tables", "make_cache", "read_tables", "write_tables"]
