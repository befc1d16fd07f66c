from typing import Optional

__all__ = ["VaultError"]


class VaultError(Exception):
    """What the vault refused, or why it could not be asked.

    status is the HTTP status, or 0 when no answer came. error is the vault's stable code (token_not_found,
    rate_limited, forbidden, ...) or one of the client's own: network_error, timeout, unexpected_response,
    untrusted_certificate (an https vault whose certificate no CA given signed). Neither the service key nor a token
    is ever part of it.
    """

    def __init__(self, status: int, error: str, message: str, retry_after: Optional[int] = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.retry_after = retry_after

    @property
    def temporary(self) -> bool:
        """Asking again later may succeed: no answer, a 5xx, or 429. Not a certificate no CA given signed: that
        takes a change of configuration (ca_file)."""
        if self.error == "untrusted_certificate":
            return False
        return self.status == 0 or self.status == 429 or self.status >= 500

    def __str__(self) -> str:
        return f"{self.error}: {self.message}"

    def __repr__(self) -> str:
        return f"VaultError(status={self.status}, error={self.error!r}, message={self.message!r}, retry_after={self.retry_after})"
