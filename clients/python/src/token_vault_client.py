"""The client's former module, kept so that code written for it goes on working unchanged:
`from token_vault_client import TokenVaultClient, Token, InvalidReport, VaultError`.

New code imports the package token_vault: TokenVault (this class under its new name, with events, broker names and
ca_file) and AsyncTokenVault.
"""

import time
from typing import Callable, Optional

from token_vault import InvalidReport, Token, TokenVault, VaultError
from token_vault._client import VAULT_LONGEST_WAIT_SECONDS

__all__ = ["TokenVaultClient", "Token", "InvalidReport", "VaultError"]


class TokenVaultClient(TokenVault):
    """TokenVault with the former signatures: options may be given by position, and token's second argument is
    the wait."""

    def __init__(
        self,
        url: str,
        service_key: str,
        refresh_margin: float = 60,
        timeout: float = 10,
        max_retries: int = 3,
        max_retry_wait: float = 5,
        longest_wait: int = VAULT_LONGEST_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(
            url,
            service_key,
            refresh_margin=refresh_margin,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            longest_wait=longest_wait,
            clock=clock,
        )

    def token(self, client_id: str, wait: Optional[float] = None, broker: Optional[str] = None) -> Token:  # type: ignore[override]
        return super().token(client_id, broker=broker, wait=wait)
