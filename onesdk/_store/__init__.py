"""Dataset files on disk: local paths, size and md5 checks, verified downloads, progress bars."""
