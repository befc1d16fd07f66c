"""Reads Pocketful access tokens from token-vault, with the standard library only (Python 3.9+).

token() hands out a cached token until refresh_margin seconds before it expires, then asks the vault again;
threads asking at the same moment share one request. When that refresh fails for want of an answer (no answer,
a timeout, a 5xx, or 429 past its retries), the cached token is still handed out if it has not expired, and an
expired token never is. When the vault answers that there is no token (404), or that this key may not have it
(401, 403), the cached token is dropped and the error raised.

A token's end is counted on the client's monotonic clock from the moment its request was sent, plus the
expiresIn the vault answered: a slow answer or a host clock that is off cannot stretch a token past its real end.
"""

import http.client
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Optional

__all__ = ["TokenVaultClient", "Token", "InvalidReport", "VaultError"]

VAULT_LONGEST_WAIT_SECONDS = 55
# A vault that does not hold a waiting request answers at once; it is then asked at most once a second.
LEAST_SECONDS_BETWEEN_WAITS = 1.0


class VaultError(Exception):
    """What the vault refused, or why it could not be asked.

    status is the HTTP status, or 0 when no answer came. error is the vault's stable code (token_not_found,
    rate_limited, forbidden, ...) or one of the client's own: network_error, timeout, unexpected_response.
    Neither the service key nor a token is ever part of it.
    """

    def __init__(self, status: int, error: str, message: str, retry_after: Optional[int] = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.retry_after = retry_after

    @property
    def temporary(self) -> bool:
        """Asking again later may succeed: no answer, a 5xx, or 429."""
        return self.status == 0 or self.status == 429 or self.status >= 500

    def __str__(self) -> str:
        return f"{self.error}: {self.message}"

    def __repr__(self) -> str:
        return f"VaultError(status={self.status}, error={self.error!r}, message={self.message!r}, retry_after={self.retry_after})"


@dataclass(frozen=True)
class Token:
    """GET /v1/tokens/{client_id}: a live token. expires_in is what is left by this client's count."""

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
    """POST /v1/tokens/{client_id}/report-invalid: invalid (removed by the vault), live, or checking."""

    client_id: str
    verdict: str
    checked: bool
    next_check_in: int


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: the key would go wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401 - urllib's signature
        return None


@dataclass
class _Entry:
    token: Token
    deadline: float  # on the client's clock: the token is dead by then at the latest


class TokenVaultClient:
    """A client of one vault (one URL, one service key). Safe to share between threads."""

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
        """url: such as http://vault:5000 (a path in front of /v1 is kept). service_key: this service's tvk_ key,
        sent as Authorization: Bearer, never logged nor put in an error. refresh_margin: seconds before its end a
        cached token is fetched again. timeout: seconds for one request (connecting, and each read); a request
        that waits for a login gets its wait on top. max_retries, max_retry_wait: how often a 429 is retried,
        sleeping what Retry-After says but at most max_retry_wait seconds. longest_wait: the longest wait asked in
        one request (the vault allows 55). clock: monotonic seconds, for tests to move."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the vault URL must be http(s)://host[:port]")
        if not isinstance(service_key, str) or not re.fullmatch(r"[\x21-\x7e]+", service_key):
            raise ValueError("the service key must be set, printable and without spaces")
        self._base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self._host = parts.netloc.rpartition("@")[2]
        self._authorization = f"Bearer {service_key}"
        self._margin = _at_least(0, refresh_margin, "refresh_margin")
        self._timeout = _at_least(0, timeout, "timeout")
        if self._timeout == 0:
            raise ValueError("timeout must be more than 0 seconds")
        self._max_retries = int(_at_least(0, max_retries, "max_retries"))
        self._max_retry_wait = _at_least(0, max_retry_wait, "max_retry_wait")
        self._longest_wait = min(VAULT_LONGEST_WAIT_SECONDS, int(_at_least(1, longest_wait, "longest_wait")))
        self._clock = clock
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._lock = threading.Lock()
        self._entries: Dict[str, _Entry] = {}
        # Bumped by each drop, so that a fetch begun before a drop cannot put back what was dropped.
        self._epochs: Dict[str, int] = {}
        self._fetching: Dict[str, threading.Lock] = {}

    def __repr__(self) -> str:
        return f"TokenVaultClient({self._base!r})"

    def token(self, client_id: str, wait: Optional[float] = None) -> Token:
        """The live token of an account, from the cache or the vault; raises VaultError when there is none.

        wait: seconds to wait for a token when none is stored yet (the morning login); the vault answers as soon
        as one is stored. Without it, no token is token_not_found at once."""
        account = _normalized(client_id)
        wait = _at_least(0, wait or 0, "wait")
        cached = self._fresh(account)
        if cached is not None:
            return cached
        try:
            if wait > 0:
                return self._wait_for(account, wait)
            with self._fetch_lock(account):
                cached = self._fresh(account)  # another thread may have fetched it meanwhile
                return cached if cached is not None else self._fetch(account, 0)
        except VaultError as error:
            if error.temporary:
                still_live = self._live(account)
                if still_live is not None:
                    return still_live
            else:
                self._drop(account)
            raise

    def report_invalid(self, client_id: str) -> InvalidReport:
        """Tells the vault that Pocketful refused this account's token. The cached token is dropped first,
        whatever the vault answers; the answer says whether it found it dead (and removed it) or alive."""
        account = _normalized(client_id)
        self._drop(account)
        body = self._call("POST", f"/v1/tokens/{urllib.parse.quote(account, safe='')}/report-invalid")
        report = _report_of(body)
        if report is None:
            raise VaultError(200, "unexpected_response", "the vault answered the report without a verdict")
        return report

    # The cache.

    def _fresh(self, account: str) -> Optional[Token]:
        with self._lock:
            entry = self._entries.get(account)
            now = self._clock()
            return _view(entry, now) if entry is not None and now < entry.deadline - self._margin else None

    def _live(self, account: str) -> Optional[Token]:
        with self._lock:
            entry = self._entries.get(account)
            now = self._clock()
            return _view(entry, now) if entry is not None and now < entry.deadline else None

    def _drop(self, account: str) -> None:
        with self._lock:
            self._entries.pop(account, None)
            self._epochs[account] = self._epochs.get(account, 0) + 1

    def _fetch_lock(self, account: str) -> threading.Lock:
        with self._lock:
            return self._fetching.setdefault(account, threading.Lock())

    # Asking the vault.

    def _wait_for(self, account: str, seconds: float) -> Token:
        deadline = self._clock() + seconds
        while True:
            started = self._clock()
            left = max(1, int(-(-(deadline - started) // 1)))
            try:
                return self._fetch(account, min(left, self._longest_wait))
            except VaultError as error:
                if error.error != "token_not_found":
                    raise
                pause = min(started + LEAST_SECONDS_BETWEEN_WAITS, deadline) - self._clock()
                if pause > 0:
                    time.sleep(pause)
                if self._clock() >= deadline:
                    raise

    def _fetch(self, account: str, wait_seconds: int) -> Token:
        with self._lock:
            ticket = self._epochs.get(account, 0)
        sent_at = self._clock()
        query = f"?wait={wait_seconds}" if wait_seconds > 0 else ""
        body = self._call("GET", f"/v1/tokens/{urllib.parse.quote(account, safe='')}{query}", extra=wait_seconds)
        token = _token_of(body)
        if token is None:
            raise VaultError(200, "unexpected_response", "the vault answered without a token")
        with self._lock:
            if self._epochs.get(account, 0) == ticket:
                self._entries[account] = _Entry(token, sent_at + token.expires_in)
        return token

    def _call(self, method: str, path: str, extra: float = 0) -> Any:
        """The JSON of a 2xx answer; a 429 is retried after Retry-After (capped), a bounded number of times."""
        retries = 0
        while True:
            status, body, retry_after = self._once(method, path, self._timeout + extra)
            if 200 <= status < 300 and body is not None:
                return body
            error = _error_of(status, body, retry_after)
            if error.status != 429 or retries >= self._max_retries:
                raise error
            retries += 1
            time.sleep(min(retry_after if retry_after is not None else 1, self._max_retry_wait))

    def _once(self, method: str, path: str, timeout: float):
        request = urllib.request.Request(
            self._base + path,
            method=method,
            headers={"Authorization": self._authorization, "Accept": "application/json"},
        )
        try:
            try:
                response = self._opener.open(request, timeout=timeout)
            except urllib.error.HTTPError as answer:
                response = answer
            with response:
                return response.getcode(), _parsed_json(response.read()), _retry_after_of(response.headers.get("Retry-After"))
        except urllib.error.URLError as failure:
            raise self._unreachable(failure.reason, timeout) from None
        except (OSError, http.client.HTTPException) as failure:
            raise self._unreachable(failure, timeout) from None

    def _unreachable(self, reason: Any, timeout: float) -> VaultError:
        if isinstance(reason, socket.timeout):
            return VaultError(0, "timeout", f"the vault at {self._host} did not answer within {timeout:g} s")
        # The exception's class only: its text may carry the request it failed on.
        return VaultError(0, "network_error", f"the vault at {self._host} could not be reached ({type(reason).__name__})")


def _normalized(client_id: str) -> str:
    if not isinstance(client_id, str) or not client_id.strip():
        raise ValueError("the client id must be a non-empty string, such as YA0002")
    # The vault compares ids in upper case (ASCII letters only); so does the cache.
    return re.sub(r"[a-z]+", lambda letters: letters.group(0).upper(), client_id.strip())


def _at_least(least: float, value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < least or value == float("inf"):
        raise ValueError(f"{name} must be a number, at least {least:g}")
    return value


def _view(entry: _Entry, now: float) -> Token:
    return replace(entry.token, expires_in=max(0, int(entry.deadline - now)))


def _parsed_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _retry_after_of(header: Optional[str]) -> Optional[int]:
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


def _error_of(status: int, body: Any, retry_after: Optional[int]) -> VaultError:
    if status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("message"), str):
        return VaultError(status, body["error"], body["message"], retry_after)
    # A proxy's error page, a redirect, or a 2xx that is not JSON: nothing of it is repeated, it could hold anything.
    return VaultError(status, "unexpected_response", f"the vault answered HTTP {status} without its JSON", retry_after)


def _instant(value: Any) -> Optional[datetime]:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _token_of(body: Any) -> Optional[Token]:
    if not isinstance(body, dict):
        return None
    texts = [body.get(name) for name in ("clientId", "accessToken", "tokenType", "scope", "source")]
    issued_at, expires_at = _instant(body.get("issuedAt")), _instant(body.get("expiresAt"))
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


def _report_of(body: Any) -> Optional[InvalidReport]:
    if not isinstance(body, dict) or not isinstance(body.get("clientId"), str):
        return None
    if body.get("verdict") not in ("invalid", "live", "checking") or not isinstance(body.get("checked"), bool):
        return None
    if not _seconds(body.get("nextCheckIn")):
        return None
    return InvalidReport(body["clientId"], body["verdict"], body["checked"], int(body["nextCheckIn"]))
