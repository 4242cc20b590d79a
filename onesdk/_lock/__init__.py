"""Data lock files: pin what a load reads, compare, sync."""
