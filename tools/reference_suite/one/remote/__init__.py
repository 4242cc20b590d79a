"""``one.remote`` names, mapped to onesdk.

one-api's Globus and AWS transfer clients have no onesdk counterpart (see the ``one.remote``
row of docs/differences.md): onesdk downloads over HTTP from the data server.
"""
