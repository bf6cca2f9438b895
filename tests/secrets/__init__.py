"""Secrets kept out of everything the SDK reports: logs, reprs, exceptions, files and the
locals of traceback frames."""
