"""What the vault answers, read into the client's types: a token, a report's verdict, an error, an instant."""

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Optional

from ._errors import VaultError

__all__ = ["Token", "InvalidReport"]


@dataclass(frozen=True)
class Token:
    """GET /v1/tokens/{account}: a live token. expires_in is what is left by this client's count.

    client_id is the account as the vault names it: the default broker's id bare (YA0002), another broker's
    broker:id (zerodha:AB1234). issued_at and expires_at are aware datetimes in UTC. The repr leaves the token out.
    """

    client_id: str
    access_token: str = field(repr=False)
    token_type: str
    scope: str
    source: str
    issued_at: datetime
    expires_at: datetime
    expires_in: int
    # The broker whose token it is; a vault from before brokers were named only had Pocketful's.
    broker: str = "pocketful"


@dataclass(frozen=True)
class InvalidReport:
    """POST /v1/tokens/{account}/report-invalid: invalid (removed by the vault), live, or checking."""

    client_id: str
    verdict: str
    checked: bool
    next_check_in: int


def parsed_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def retry_after_of(header: Optional[str]) -> Optional[int]:
    """Seconds, or an HTTP date; anything else counts as not said."""
    if header is None:
        return None
    header = header.strip()
    if header.isdigit():
        return int(header)
    try:
        return max(0, int(-(-(parsedate_to_datetime(header).timestamp() - time.time()) // 1)))
    except (TypeError, ValueError, OverflowError):
        return None


def error_of(status: int, body: Any, retry_after: Optional[int]) -> VaultError:
    if status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("message"), str):
        return VaultError(status, body["error"], body["message"], retry_after)
    # A proxy's error page, a redirect, or a 2xx that is not JSON: nothing of it is repeated, it could hold anything.
    return VaultError(status, "unexpected_response", f"the vault answered HTTP {status} without its JSON", retry_after)


def instant(value: Any) -> Optional[datetime]:
    """An ISO 8601 instant with its offset (the vault writes India's), as an aware datetime in UTC."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc) if parsed.tzinfo is not None else None


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def token_of(body: Any) -> Optional[Token]:
    if not isinstance(body, dict):
        return None
    texts = [body.get(name) for name in ("clientId", "accessToken", "tokenType", "scope", "source")]
    issued_at, expires_at = instant(body.get("issuedAt")), instant(body.get("expiresAt"))
    if not all(isinstance(text, str) for text in texts) or not body["accessToken"] or not _seconds(body.get("expiresIn")):
        return None
    if issued_at is None or expires_at is None:
        return None
    return Token(
        client_id=body["clientId"],
        access_token=body["accessToken"],
        token_type=body["tokenType"],
        scope=body["scope"],
        source=body["source"],
        issued_at=issued_at,
        expires_at=expires_at,
        expires_in=int(body["expiresIn"]),
        broker=body["broker"] if isinstance(body.get("broker"), str) else "pocketful",
    )


def report_of(body: Any) -> Optional[InvalidReport]:
    if not isinstance(body, dict) or not isinstance(body.get("clientId"), str):
        return None
    if body.get("verdict") not in ("invalid", "live", "checking") or not isinstance(body.get("checked"), bool):
        return None
    if not _seconds(body.get("nextCheckIn")):
        return None
    return InvalidReport(body["clientId"], body["verdict"], body["checked"], int(body["nextCheckIn"]))
