"""``python -m ath``: the ``ath`` command line."""

from ath.cli import main

raise SystemExit(main())
