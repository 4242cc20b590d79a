"""The facades: ``One``, ``OneAlyx``, the ``ONE`` factory and the frozen ``Options`` they use."""
