"""TokenVault: the client a strategy holds, for threads."""

import os
import re
import time
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple, Union

from ._accounts import account_name, report_path, token_path
from ._answers import InvalidReport, Token, error_of, report_of, token_of
from ._cache import TokenCache
from ._errors import VaultError
from ._events import DEFAULT_IDLE_TIMEOUT, EventStream
from ._transport import Cancellation, Transport

__all__ = ["TokenVault", "VAULT_LONGEST_WAIT_SECONDS"]

VAULT_LONGEST_WAIT_SECONDS = 55
# A vault that does not hold a waiting request answers at once; it is then asked at most once a second.
LEAST_SECONDS_BETWEEN_WAITS = 1.0


class TokenVault:
    """A client of one vault (one URL, one service key). Safe to share between threads."""

    def __init__(
        self,
        url: str,
        service_key: str,
        *,
        ca_file: Optional[str] = None,
        refresh_margin: float = 60,
        timeout: float = 10,
        max_retries: int = 3,
        max_retry_wait: float = 5,
        longest_wait: int = VAULT_LONGEST_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        """url: such as https://vault.desk.internal (a path in front of /v1 is kept). service_key: this service's
        tvk_ key, sent as Authorization: Bearer to that URL only, never logged nor put in an error. ca_file: a PEM
        file of the CA that signed the vault's certificate (an internal CA), trusted instead of the system's; without
        it, the system's CAs and SSL_CERT_FILE. refresh_margin: seconds before its end a cached token is fetched
        again. timeout: seconds for one request (connecting, and each read); a request that waits for a login gets
        its wait on top. max_retries, max_retry_wait: how often a 429 is retried, sleeping what Retry-After says but
        at most max_retry_wait seconds. longest_wait: the longest wait asked in one request (the vault allows 55).
        clock: monotonic seconds, for tests to move."""
        if not isinstance(service_key, str) or not re.fullmatch(r"[\x21-\x7e]+", service_key):
            raise ValueError("the service key must be set, printable and without spaces")
        self._transport = Transport(url, service_key, ca_file)
        self._timeout = _at_least(0, timeout, "timeout")
        if self._timeout == 0:
            raise ValueError("timeout must be more than 0 seconds")
        self._max_retries = int(_at_least(0, max_retries, "max_retries"))
        self._max_retry_wait = _at_least(0, max_retry_wait, "max_retry_wait")
        self._longest_wait = min(VAULT_LONGEST_WAIT_SECONDS, int(_at_least(1, longest_wait, "longest_wait")))
        self._cache = TokenCache(_at_least(0, refresh_margin, "refresh_margin"), clock)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **options: Any) -> "TokenVault":
        """The client the environment describes: VAULT_URL, VAULT_KEY (the service key), and VAULT_CA_FILE when the
        vault's certificate is signed by an internal CA. options: as the constructor's."""
        url, key, tls = settings_from(os.environ if environ is None else environ)
        return cls(url, key, **{**tls, **options})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._transport.base!r})"

    def token(self, account: str, broker: Optional[str] = None, wait: Optional[float] = None) -> Token:
        """The live token of an account, from the cache or the vault; raises VaultError when there is none.

        account: as the vault names it, YA0002 (the vault's default broker) or zerodha:AB1234; or the id with its
        broker apart, token("AB1234", broker="zerodha"). wait: seconds to wait for a token when none is stored yet
        (the morning login); the vault answers as soon as one is stored. Without it, no token is token_not_found at
        once."""
        return self._token(account_name(account, broker), _at_least(0, wait or 0, "wait"), None)

    def report_invalid(self, account: str, broker: Optional[str] = None) -> InvalidReport:
        """Tells the vault that the broker refused this account's token. The cached token is dropped first,
        whatever the vault answers; the answer says whether it found it dead (and removed it) or alive."""
        return self._report(account_name(account, broker), None)

    def events(
        self,
        accounts: Optional[Union[str, Iterable[str]]] = None,
        last_event_id: Optional[str] = None,
        reconnect_wait: Optional[float] = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> EventStream:
        """The vault's events about these accounts (all the key may read when None), as an iterator that resumes
        across disconnects; see EventStream. last_event_id: resume after an event an earlier stream handed out.
        reconnect_wait: seconds before reconnecting (by default what the vault says, 3 s), doubled while it fails,
        up to 30 s. idle_timeout: seconds without a byte (the vault pings every 15 s) before the connection counts
        as dead and is made again."""
        wait = None if reconnect_wait is None else _at_least(0, reconnect_wait, "reconnect_wait")
        idle = _at_least(0, idle_timeout, "idle_timeout")
        if idle == 0:
            raise ValueError("idle_timeout must be more than 0 seconds")
        return EventStream(self._transport, self._cache, accounts, last_event_id, wait, idle, self._timeout)

    # What the asyncio client shares: the same calls, which a Cancellation can stop from another thread.

    def _token(self, name: str, wait: float, cancel: Optional[Cancellation]) -> Token:
        cached = self._cache.fresh(name)
        if cached is not None:
            return cached
        try:
            if wait > 0:
                return self._wait_for(name, wait, cancel)
            with self._cache.fetch_lock(name):
                cached = self._cache.fresh(name)  # another thread may have fetched it meanwhile
                return cached if cached is not None else self._fetch(name, 0, cancel)
        except VaultError as error:
            # The vault could not be asked (no answer, one it could not give now): a token held is still good. A
            # certificate no CA given signed is not that: it lasts until the configuration changes, as in the
            # TypeScript client.
            if error.temporary:
                still_live = self._cache.live(name)
                if still_live is not None:
                    return still_live
            else:
                self._cache.drop(name)
            raise

    def _report(self, name: str, cancel: Optional[Cancellation]) -> InvalidReport:
        self._cache.drop(name)
        report = report_of(self._call("POST", report_path(name), 0, cancel))
        if report is None:
            raise VaultError(200, "unexpected_response", "the vault answered the report without a verdict")
        # The vault's name of the account, which the token may have been read under too.
        self._cache.forget(report.client_id)
        return report

    def _fresh(self, name: str) -> Optional[Token]:
        return self._cache.fresh(name)

    # Asking the vault.

    def _wait_for(self, name: str, seconds: float, cancel: Optional[Cancellation]) -> Token:
        deadline = self._cache.now() + seconds
        while True:
            started = self._cache.now()
            left = max(1, int(-(-(deadline - started) // 1)))
            try:
                return self._fetch(name, min(left, self._longest_wait), cancel)
            except VaultError as error:
                if error.error != "token_not_found":
                    raise
                self._sleep(min(started + LEAST_SECONDS_BETWEEN_WAITS, deadline) - self._cache.now(), cancel)
                if self._cache.now() >= deadline:
                    raise

    def _fetch(self, name: str, wait_seconds: int, cancel: Optional[Cancellation]) -> Token:
        ticket = self._cache.ticket(name)
        sent_at = self._cache.now()
        query = f"?wait={wait_seconds}" if wait_seconds > 0 else ""
        token = token_of(self._call("GET", token_path(name) + query, wait_seconds, cancel))
        if token is None:
            raise VaultError(200, "unexpected_response", "the vault answered without a token")
        self._cache.keep(name, token, sent_at, ticket)
        return token

    def _call(self, method: str, path: str, extra: float, cancel: Optional[Cancellation]) -> Any:
        """The JSON of a 2xx answer; a 429 is retried after Retry-After (capped), a bounded number of times."""
        retries = 0
        while True:
            status, body, retry_after = self._transport.exchange(method, path, self._timeout + extra, cancel)
            if 200 <= status < 300 and body is not None:
                return body
            error = error_of(status, body, retry_after)
            if error.status != 429 or retries >= self._max_retries:
                raise error
            retries += 1
            self._sleep(min(retry_after if retry_after is not None else 1, self._max_retry_wait), cancel)

    @staticmethod
    def _sleep(seconds: float, cancel: Optional[Cancellation]) -> None:
        if cancel is not None:
            cancel.sleep(seconds)
        elif seconds > 0:
            time.sleep(seconds)


def settings_from(environ: Mapping[str, str]) -> Tuple[str, str, Dict[str, str]]:
    """VAULT_URL, VAULT_KEY, and VAULT_CA_FILE as the option ca_file when set; what is missing is named, the key
    never shown."""
    missing = [name for name in ("VAULT_URL", "VAULT_KEY") if not environ.get(name, "").strip()]
    if missing:
        raise ValueError(f"{' and '.join(missing)} must be set: the vault's URL and this service's key")
    ca_file = environ.get("VAULT_CA_FILE", "").strip()
    return environ["VAULT_URL"].strip(), environ["VAULT_KEY"].strip(), {"ca_file": ca_file} if ca_file else {}


def _at_least(least: float, value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < least or value == float("inf"):
        raise ValueError(f"{name} must be a number, at least {least:g}")
    return value
