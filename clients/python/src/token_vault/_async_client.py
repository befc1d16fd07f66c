"""AsyncTokenVault: the same client for asyncio, its calls run in threads.

Every call is TokenVault's own, run by asyncio.to_thread around http.client: one implementation of the caching,
waits, retries and event resumption, tested once, and nothing outside the standard library (asyncio has no HTTP
client; writing one over asyncio streams, with TLS and chunked answers, would be a second client to get right).
A token held in the cache is returned without a thread. A call in flight holds one thread of the loop's default
executor, a wait for the login or an event stream for as long as it lasts; cancelling the task stops the call at
once (its connection is shut), so no thread outlives it.
"""

import asyncio
import os
import time
from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar, Union

from ._accounts import account_name
from ._answers import InvalidReport, Token
from ._client import VAULT_LONGEST_WAIT_SECONDS, TokenVault, _at_least, settings_from
from ._events import DEFAULT_IDLE_TIMEOUT, Event, EventStream
from ._transport import Cancellation

__all__ = ["AsyncTokenVault", "AsyncEventStream"]

T = TypeVar("T")


class AsyncTokenVault:
    """TokenVault for asyncio: the same options and answers, awaited. Safe to share between tasks."""

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
        self._vault = TokenVault(
            url,
            service_key,
            ca_file=ca_file,
            refresh_margin=refresh_margin,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            longest_wait=longest_wait,
            clock=clock,
        )

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **options: Any) -> "AsyncTokenVault":
        """As TokenVault.from_env: VAULT_URL, VAULT_KEY, and VAULT_CA_FILE for an internal CA."""
        url, key, tls = settings_from(os.environ if environ is None else environ)
        return cls(url, key, **{**tls, **options})

    def __repr__(self) -> str:
        return f"AsyncTokenVault({self._vault._transport.base!r})"

    async def token(self, account: str, broker: Optional[str] = None, wait: Optional[float] = None) -> Token:
        """As TokenVault.token."""
        name = account_name(account, broker)
        seconds = _at_least(0, wait or 0, "wait")
        cached = self._vault._fresh(name)
        if cached is not None:
            return cached
        return await _in_thread(lambda cancel: self._vault._token(name, seconds, cancel))

    async def report_invalid(self, account: str, broker: Optional[str] = None) -> InvalidReport:
        """As TokenVault.report_invalid."""
        name = account_name(account, broker)
        return await _in_thread(lambda cancel: self._vault._report(name, cancel))

    def events(
        self,
        accounts: Optional[Union[str, Iterable[str]]] = None,
        last_event_id: Optional[str] = None,
        reconnect_wait: Optional[float] = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> "AsyncEventStream":
        """As TokenVault.events, an async iterator: `async with vault.events(...) as events: async for event in events`."""
        return AsyncEventStream(self._vault.events(accounts, last_event_id, reconnect_wait, idle_timeout))


class AsyncEventStream:
    """EventStream for asyncio. Cancelling the task that waits for the next event closes the stream (its thread is
    let go at once); so does leaving `async with`, or aclose()."""

    def __init__(self, stream: EventStream):
        self._stream = stream

    @property
    def last_event_id(self) -> Optional[str]:
        return self._stream.last_event_id

    @property
    def closed(self) -> bool:
        return self._stream.closed

    async def connect(self) -> "AsyncEventStream":
        """Returns once the stream is open; see EventStream.connect."""
        await self._closing_on_cancel(self._stream.connect)
        return self

    async def aclose(self) -> None:
        self._stream.close()

    async def __aenter__(self) -> "AsyncEventStream":
        return await self.connect()

    async def __aexit__(self, *failure: object) -> None:
        self._stream.close()

    def __aiter__(self) -> "AsyncEventStream":
        return self

    async def __anext__(self) -> Event:
        event = await self._closing_on_cancel(lambda: next(self._stream, None))
        if event is None:
            raise StopAsyncIteration
        return event

    async def _closing_on_cancel(self, work: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(work)
        except asyncio.CancelledError:
            self._stream.close()
            raise


async def _in_thread(work: Callable[[Cancellation], T]) -> T:
    cancel = Cancellation()
    try:
        return await asyncio.to_thread(work, cancel)
    except asyncio.CancelledError:
        cancel.cancel()
        raise
