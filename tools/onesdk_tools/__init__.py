"""Code generators and maintenance tools for onesdk (not shipped in the wheel)."""
