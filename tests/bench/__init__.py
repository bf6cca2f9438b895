"""The measurements: the bench's method and a smoke run of it, and the counts the suites
print at the end (tests/_report.py)."""
