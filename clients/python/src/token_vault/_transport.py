"""HTTP to the vault over http.client: one connection per request, to the URL given and nowhere else.

http.client follows no redirect and reads no proxy from the environment, so the service key goes only to the vault
named. Each request has its own connection, so a thread, a stream or a cancellation never touches another's.
"""

import http.client
import socket
import ssl
import threading
import urllib.parse
from typing import Dict, Optional, Tuple

from ._answers import parsed_json, retry_after_of
from ._errors import VaultError
from ._version import __version__

# What is read of an answer that is not a stream: a token's is under 2 KB.
MOST_BODY_BYTES = 1024 * 1024


class Cancelled(Exception):
    """The caller gave up (an asyncio task cancelled, a stream closed): nothing more is asked of the vault."""


class Cancellation:
    """Lets another thread stop a call: its sleeps end, and the connection it reads is shut down at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._socket: Optional[socket.socket] = None

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            _shut(self._socket)

    def attach(self, sock: Optional[socket.socket]) -> None:
        """The socket a call reads now (None: none), which a cancellation shuts."""
        with self._lock:
            self._socket = sock
            if sock is not None and self._event.is_set():
                _shut(sock)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._event.wait(seconds)
        if self._event.is_set():
            raise Cancelled()


def _shut(sock: Optional[socket.socket]) -> None:
    # shutdown, not close: a thread blocked reading the socket wakes up, and closes it itself.
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Stream:
    """An answer being read as it comes (GET /v1/events), on its own connection."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse, sock: socket.socket):
        self.connection = connection
        self.response = response
        self.socket = sock

    def readline(self, most: int) -> bytes:
        return self.response.readline(most)

    def close(self) -> None:
        self.response.close()
        self.connection.close()
        self.socket.close()


class Transport:
    def __init__(self, url: str, service_key: str, ca_file: Optional[str] = None):
        parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the vault URL must be http(s)://host[:port]")
        if parts.username is not None or parts.password is not None:
            raise ValueError("the vault URL must not carry credentials: the service key is given apart")
        try:
            self._port = parts.port
        except ValueError:
            raise ValueError("the vault URL's port must be a number") from None
        self._https = parts.scheme == "https"
        self._hostname = parts.hostname
        self.host = parts.netloc
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self._prefix = parts.path.rstrip("/")
        self._authorization = f"Bearer {service_key}"
        self._context = self._tls(ca_file)

    def _tls(self, ca_file: Optional[str]) -> Optional[ssl.SSLContext]:
        if ca_file is not None and not self._https:
            raise ValueError("ca_file is for an https:// vault URL")
        if not self._https:
            return None
        try:
            # Without ca_file: the system's CAs, and those SSL_CERT_FILE or SSL_CERT_DIR name. With it: only its own.
            return ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as failure:
            raise ValueError(f"ca_file {ca_file!r} cannot be used as a CA bundle ({type(failure).__name__})") from None

    def exchange(self, method: str, path: str, timeout: float, cancel: Optional[Cancellation] = None) -> Tuple[int, object, Optional[int]]:
        """One request: its status, its JSON body (None when it is not JSON) and its Retry-After."""
        connection = self._connection(timeout)
        try:
            response, _ = self._send(connection, method, path, {"Accept": "application/json"}, cancel)
            with response:
                body = response.read(MOST_BODY_BYTES)
            return response.status, parsed_json(body), retry_after_of(response.getheader("Retry-After"))
        except (OSError, http.client.HTTPException) as failure:
            raise self._failure(failure, timeout, cancel) from None
        finally:
            if cancel is not None:
                cancel.attach(None)
            connection.close()

    def open(self, path: str, headers: Dict[str, str], timeout: float, idle_timeout: float, cancel: Cancellation) -> Tuple[int, object, Optional[int], Optional[Stream]]:
        """A request whose answer is read as it comes: a Stream when the vault answers with one (200,
        text/event-stream), else the status, JSON body and Retry-After of its refusal."""
        connection = self._connection(timeout)
        try:
            response, sock = self._send(connection, "GET", path, headers, cancel)
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if response.status == 200 and kind == "text/event-stream":
                # From here on, the time allowed between two reads: the vault sends at least a ping that often.
                sock.settimeout(idle_timeout)
                return 200, None, None, Stream(connection, response, sock)
            with response:
                body = response.read(MOST_BODY_BYTES)
            connection.close()
            cancel.attach(None)
            return response.status, parsed_json(body), retry_after_of(response.getheader("Retry-After")), None
        except (OSError, http.client.HTTPException) as failure:
            connection.close()
            cancel.attach(None)
            raise self._failure(failure, timeout, cancel) from None

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._hostname, self._port, timeout=timeout, context=self._context)
        return http.client.HTTPConnection(self._hostname, self._port, timeout=timeout)

    def _send(
        self, connection: http.client.HTTPConnection, method: str, path: str, headers: Dict[str, str], cancel: Optional[Cancellation]
    ) -> Tuple[http.client.HTTPResponse, socket.socket]:
        """The answer's head, and the socket it is read from: the connection lets go of its socket once it knows the
        answer ends the connection (as the vault's streams do), while the answer is still read from it."""
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        connection.connect()
        sock = connection.sock
        if cancel is not None:
            cancel.attach(sock)  # a cancellation from here on shuts it; one that came meanwhile, at once
        headers = {**headers, "Authorization": self._authorization, "User-Agent": f"token-vault-python/{__version__}"}
        connection.request(method, self._prefix + path, headers=headers)
        return connection.getresponse(), sock

    def _failure(self, reason: BaseException, timeout: float, cancel: Optional[Cancellation]) -> Exception:
        if cancel is not None and cancel.cancelled:
            return Cancelled()
        if isinstance(reason, socket.timeout):
            return VaultError(0, "timeout", f"the vault at {self.host} did not answer within {timeout:g} s")
        if isinstance(reason, ssl.SSLCertVerificationError):
            return VaultError(
                0,
                "untrusted_certificate",
                f"the vault at {self.host} could not be reached (SSLCertVerificationError): its certificate is not "
                "signed by a CA this client trusts; give ca_file (or SSL_CERT_FILE) the CA that signed it",
            )
        # The exception's class only: its text may carry the request it failed on.
        return VaultError(0, "network_error", f"the vault at {self.host} could not be reached ({type(reason).__name__})")
