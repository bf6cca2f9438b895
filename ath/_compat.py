"""ath-sdk 0.1.0 names that are this SDK's own classes under their old spelling.

* ``ATHClientBase`` / ``AsyncATHClientBase``: the base classes of the sync and
  async clients (``isinstance(client, ATHClientBase)`` holds for both sync clients).
* ``ATHClientConfig``: the constructor arguments of a client as one object
  (``url, agent_id, private_key, key_id=, timeout=``, plus every other option).
"""

from ath._client import _AsyncBase as AsyncATHClientBase
from ath._client import _SyncBase as ATHClientBase
from ath._config import ClientSettings as ATHClientConfig

__all__ = ["ATHClientBase", "ATHClientConfig", "AsyncATHClientBase"]
