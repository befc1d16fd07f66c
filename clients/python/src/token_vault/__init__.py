"""token-vault's client: the brokers' access tokens for a strategy, from the vault.

    from token_vault import TokenVault

    vault = TokenVault.from_env()                 # VAULT_URL, VAULT_KEY (and VAULT_CA_FILE)
    token = vault.token("YA0002", wait=600)       # before the session: waits for the morning login

TokenVault is for threads, AsyncTokenVault for asyncio; both use only the standard library.
"""

from ._answers import InvalidReport, Token
from ._async_client import AsyncEventStream, AsyncTokenVault
from ._client import TokenVault
from ._errors import VaultError
from ._events import Event, EventStream
from ._version import __version__

__all__ = [
    "TokenVault",
    "AsyncTokenVault",
    "Token",
    "InvalidReport",
    "Event",
    "EventStream",
    "AsyncEventStream",
    "VaultError",
    "__version__",
]
