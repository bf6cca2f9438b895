"""``python -m ath``: the ``ath`` command line."""

from ath.cli import main

__all__: list[str] = []


raise SystemExit(main())
