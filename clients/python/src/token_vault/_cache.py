"""The tokens a client holds, each until shortly before it expires by the client's own monotonic clock."""

import threading
from dataclasses import dataclass, replace
from typing import Callable, Dict, Optional, Tuple

from ._answers import Token


@dataclass
class _Entry:
    token: Token
    deadline: float  # on the client's clock: the token is dead by then at the latest


# What a fetch saw before it asked: the account's drops, and every account's (events), so that a fetch begun before
# a drop cannot put back what was dropped.
Ticket = Tuple[int, int]


class TokenCache:
    """Keyed by the account as the caller named it; what the vault calls the account is in each token (client_id),
    which is how an event or a report reaches every name the account was read under."""

    def __init__(self, margin: float, clock: Callable[[], float]):
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: Dict[str, _Entry] = {}
        self._epochs: Dict[str, int] = {}
        self._generation = 0
        self._fetching: Dict[str, threading.Lock] = {}

    def now(self) -> float:
        return self._clock()

    def fresh(self, name: str) -> Optional[Token]:
        """The token, while it is outside the refresh margin."""
        with self._lock:
            entry = self._entries.get(name)
            now = self._clock()
            return _view(entry, now) if entry is not None and now < entry.deadline - self._margin else None

    def live(self, name: str) -> Optional[Token]:
        """The token, until it expires: what is handed out while the vault cannot be asked."""
        with self._lock:
            entry = self._entries.get(name)
            now = self._clock()
            return _view(entry, now) if entry is not None and now < entry.deadline else None

    def ticket(self, name: str) -> Ticket:
        with self._lock:
            return self._epochs.get(name, 0), self._generation

    def keep(self, name: str, token: Token, sent_at: float, ticket: Ticket) -> None:
        with self._lock:
            if (self._epochs.get(name, 0), self._generation) == ticket:
                self._entries[name] = _Entry(token, sent_at + token.expires_in)

    def drop(self, name: str) -> None:
        with self._lock:
            self._entries.pop(name, None)
            self._epochs[name] = self._epochs.get(name, 0) + 1

    def forget(self, client_id: Optional[str]) -> None:
        """An account's token changed (an event): every name it was read under, or every account (None)."""
        with self._lock:
            for name in [name for name, entry in self._entries.items() if client_id is None or client_id in (name, entry.token.client_id)]:
                del self._entries[name]
            self._generation += 1

    def fetch_lock(self, name: str) -> threading.Lock:
        with self._lock:
            return self._fetching.setdefault(name, threading.Lock())


def _view(entry: _Entry, now: float) -> Token:
    return replace(entry.token, expires_in=max(0, int(entry.deadline - now)))
