"""GET /v1/events: the vault's server-sent events, followed across disconnects with Last-Event-ID."""

import http.client
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from ._accounts import account_name
from ._answers import error_of, instant
from ._cache import TokenCache
from ._errors import VaultError
from ._transport import Cancellation, Cancelled, Stream, Transport

__all__ = ["Event", "EventStream"]

EVENT_ID = re.compile(r"([0-9]{1,20})-([0-9]{1,20})")
# What the vault says in `retry:` (3 s); the wait doubles while reconnecting fails, up to MOST_RECONNECT_WAIT.
DEFAULT_RECONNECT_WAIT = 3.0
MOST_RECONNECT_WAIT = 30.0
# A 429 on a stream comes from the client's budget per minute, or its bound of held requests: wait what it says.
MOST_RATE_LIMITED_WAIT = 60.0
# Three of the vault's heartbeats (EVENTS_HEARTBEAT_SECONDS, 15 s): a connection silent for longer is dead.
DEFAULT_IDLE_TIMEOUT = 45.0
# An event is a few hundred bytes; a longer line is not the vault's.
MOST_LINE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Event:
    """An event of GET /v1/events.

    type: token.stored (a login or an import stored a token: read it again), token.removed (reason: deleted,
    invalid or expired), token.expiring (an expiring alert fell due), or reset: the vault could not replay what
    came after the last event this stream saw, so events may have been missed; read again the tokens you need.
    A reset has no id, client_id or times. client_id is the account as the vault names it (as Token.client_id).
    expires_at and at are aware datetimes in UTC; expires_at is None for a token deleted that the vault could not
    read first.
    """

    type: str
    id: Optional[str]
    client_id: Optional[str]
    expires_at: Optional[datetime]
    at: Optional[datetime]
    reason: Optional[str] = None


RESET = Event("reset", None, None, None, None)


class EventStream(Iterator[Event]):
    """The events of the accounts asked for (all those the key may read when none are named), in the vault's order,
    each once. When the connection ends (a replica restarts, the network drops, nothing comes for idle_timeout) it
    reconnects, sending the id of the last event it saw as Last-Event-ID, so the vault replays what was missed; when
    the vault cannot, a reset event says so. What the vault refuses for good (401, 403) is raised as VaultError; what
    may pass (no answer, 429, 5xx) is waited out and retried, without end.

    Each token.stored, token.removed and reset also drops what the client holds of the account (every account, for
    a reset), so that the next token() asks the vault. Iterate it from one thread; close() may come from any.
    """

    def __init__(
        self,
        transport: Transport,
        cache: TokenCache,
        accounts: Optional[Union[str, Iterable[str]]],
        last_event_id: Optional[str],
        reconnect_wait: Optional[float],
        idle_timeout: float,
        timeout: float,
    ):
        if last_event_id is not None and not (isinstance(last_event_id, str) and EVENT_ID.fullmatch(last_event_id)):
            raise ValueError("last_event_id must be an id the vault sent, such as 1795415712345-0")
        if isinstance(accounts, str):
            accounts = [accounts]
        self._accounts = None if accounts is None else frozenset(account_name(account) for account in accounts)
        self._transport = transport
        self._cache = cache
        self._last: Optional[str] = last_event_id
        self._asked_wait = reconnect_wait
        self._said_wait = DEFAULT_RECONNECT_WAIT
        self._idle_timeout = idle_timeout
        self._timeout = timeout
        self._failures = 0
        self._stream: Optional[Stream] = None
        self._cancel = Cancellation()
        # Held by the thread reading, so that close() from another thread shuts the connection and leaves the rest to it.
        self._reading = threading.Lock()

    @property
    def last_event_id(self) -> Optional[str]:
        """The id of the last event received: keep it to resume in another stream (events(last_event_id=...))."""
        return self._last

    @property
    def closed(self) -> bool:
        return self._cancel.cancelled

    def connect(self) -> "EventStream":
        """Returns once the stream is open (at once if it is): what happens from then on reaches it. Open it before
        reading the tokens it is about, so that no change falls between the read and the stream."""
        with self._reading:
            try:
                if self._stream is None:
                    self._stream = self._open()
            except Cancelled:
                pass  # closed meanwhile: iterating it ends at once
        return self

    def close(self) -> None:
        """Ends the stream, from any thread: iteration stops (StopIteration) and the connection is closed."""
        self._cancel.cancel()
        if self._reading.acquire(blocking=False):
            try:
                self._drop()
            finally:
                self._reading.release()

    def __enter__(self) -> "EventStream":
        return self.connect()

    def __exit__(self, *failure: object) -> None:
        self.close()

    def __iter__(self) -> "EventStream":
        return self

    def __next__(self) -> Event:
        with self._reading:
            try:
                while True:
                    if self._stream is None:
                        self._stream = self._open()
                    event = self._next_of(self._stream)
                    if event is not None:
                        return event
                    self._drop()
                    self._pause()
            except Cancelled:
                self._drop()
                raise StopIteration from None

    def __del__(self) -> None:
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.close()

    def _open(self) -> Stream:
        """Connects, waiting out what may pass: a refusal for good is raised."""
        while True:
            if self._cancel.cancelled:
                raise Cancelled()
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if self._last is not None:
                headers["Last-Event-ID"] = self._last
            try:
                status, body, retry_after, stream = self._transport.open("/v1/events", headers, self._timeout, self._idle_timeout, self._cancel)
            except VaultError as unreachable:
                if not unreachable.temporary:
                    raise
                self._pause()
                continue
            if stream is not None:
                self._failures = 0
                return stream
            error = error_of(status, body, retry_after) if status != 200 else VaultError(200, "unexpected_response", "the vault answered without an event stream")
            if not error.temporary:
                raise error
            if error.status == 429 and retry_after is not None:
                self._cancel.sleep(min(retry_after, MOST_RATE_LIMITED_WAIT))
            else:
                self._pause()

    def _pause(self) -> None:
        wait = self._asked_wait if self._asked_wait is not None else self._said_wait
        self._cancel.sleep(min(wait * 2 ** min(self._failures, 16), max(wait, MOST_RECONNECT_WAIT)))
        self._failures += 1

    def _drop(self) -> None:
        stream, self._stream = self._stream, None
        self._cancel.attach(None)
        if stream is not None:
            stream.close()

    def _next_of(self, stream: Stream) -> Optional[Event]:
        """The next event to hand out, or None once the connection has ended."""
        kind: Optional[str] = None
        data: List[str] = []
        event_id: Optional[str] = None
        while True:
            try:
                raw = stream.readline(MOST_LINE_BYTES + 1)
            except (OSError, http.client.HTTPException, ValueError):
                if self._cancel.cancelled:
                    raise Cancelled() from None
                return None
            if self._cancel.cancelled:
                raise Cancelled()
            if not raw or (len(raw) > MOST_LINE_BYTES and not raw.endswith(b"\n")):
                return None
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith(":"):
                continue  # a ping
            if line:
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    kind = value
                elif field == "data":
                    data.append(value)
                elif field == "id" and "\0" not in value:
                    event_id = value
                elif field == "retry" and value.isdigit():
                    self._said_wait = int(value) / 1000
                continue
            # A blank line ends an event; one with no data is none (as EventSource has it).
            if data:
                event = self._received(kind or "message", event_id, "\n".join(data))
                if event is not None:
                    return event
            kind, data, event_id = None, [], None

    def _received(self, kind: str, event_id: Optional[str], data: str) -> Optional[Event]:
        if kind == "reset":
            self._cache.forget(None)
            return RESET
        if event_id is not None:
            if _repeats(event_id, self._last):
                return None
            self._last = event_id
        event = _event_of(kind, event_id, data)
        if event is None:
            return None
        if kind in ("token.stored", "token.removed"):
            self._cache.forget(event.client_id)
        return event if self._accounts is None or event.client_id in self._accounts else None


def _order(event_id: Optional[str]) -> Optional[Tuple[int, int]]:
    match = EVENT_ID.fullmatch(event_id) if event_id is not None else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _repeats(event_id: str, last: Optional[str]) -> bool:
    """An event at or before the last one seen was handed out already: a replay never sends one, but a proxy that
    replays, or a vault that does, must not make a strategy act twice."""
    this, before = _order(event_id), _order(last)
    return this is not None and before is not None and this <= before


def _event_of(kind: str, event_id: Optional[str], data: str) -> Optional[Event]:
    try:
        body = json.loads(data)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("clientId"), str):
        return None
    reason = body.get("reason")
    return Event(kind, event_id, body["clientId"], instant(body.get("expiresAt")), instant(body.get("at")), reason if isinstance(reason, str) else None)
