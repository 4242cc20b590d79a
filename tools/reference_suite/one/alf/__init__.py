"""The reference's ``one.alf`` package, mapped by name onto :mod:`onesdk.alf` (no behaviour here).

Each module of this package re-exports, under the reference's spelling, the public onesdk name
that does the same job. A reference name with no public onesdk counterpart is left out on purpose,
so a test that uses it fails with an ``ImportError`` or ``AttributeError`` naming it.
"""
