"""Benchmark harness: onesdk against one-api 3.6.1 on deterministic synthetic caches.

``python -m bench --quick`` measures size S and fails when any onesdk operation is slower than
one-api in the same run; ``python -m bench`` measures S, M and L. See docs/bench.md.
"""
