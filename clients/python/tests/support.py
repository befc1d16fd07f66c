"""What the tests share: the vaults of test/clients-python.e2e-spec.ts and their control, local servers that are
not the vault, a switchable proxy in front of the vaults, and a CA of the test's own."""

import http.server
import json
import os
import queue
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, List, Mapping, Optional, Tuple

from token_vault import Event, TokenVault, VaultError


class Shift:
    """A monotonic clock that a test moves ahead."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.seconds


class AgainstTheVault(unittest.TestCase):
    """Tests that need the vaults: two replicas on one Redis (VAULT_URL, VAULT_OTHER_URL), a rate-limited third,
    and a control URL for what a person or an outage does to them."""

    env: Mapping[str, str]

    @classmethod
    def setUpClass(cls):
        missing = [name for name in ("VAULT_URL", "VAULT_CONTROL_URL", "VAULT_READER_KEY") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"{', '.join(missing)} not set: run these tests through test/clients-python.e2e-spec.ts (npm test)")
        cls.env = os.environ

    def client(self, url=None, key=None, **options) -> TokenVault:
        return TokenVault(url or self.env["VAULT_URL"], key or self.env["VAULT_READER_KEY"], **options)

    def control(self, move: str, **body):
        request = urllib.request.Request(
            self.env["VAULT_CONTROL_URL"] + move, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def call(self, method: str, url: str, key: str):
        """A plain request, as any HTTP client makes it: (status, JSON body)."""
        request = urllib.request.Request(url, method=method, headers={"Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, _json(answer.read())
        except urllib.error.HTTPError as refused:
            with refused:
                return refused.code, _json(refused.read())

    def get(self, url: str, key: str):
        return self.call("GET", url, key)

    def served(self, account: str) -> str:
        """The token the other replica serves for an account right now."""
        status, body = self.get(f"{self.env['VAULT_OTHER_URL']}/v1/tokens/{account}", self.env["VAULT_ADMIN_KEY"])
        self.assertEqual(status, 200, body)
        return body["accessToken"]

    def delete(self, account: str):
        """An operator deletes the account's token, on the other replica."""
        status, body = self.call("DELETE", f"{self.env['VAULT_OTHER_URL']}/v1/tokens/{account}", self.env["VAULT_ADMIN_KEY"])
        self.assertEqual(status, 204, body)

    def audit(self, **query):
        url = f"{self.env['VAULT_URL']}/v1/audit?{urllib.parse.urlencode({**query, 'limit': 500})}"
        status, body = self.get(url, self.env["VAULT_ADMIN_KEY"])
        self.assertEqual(status, 200, body)
        return body["entries"]

    def reads(self, client: str, account: str) -> int:
        return len(self.audit(client=client, account=account, kind="done", action="read"))

    def refusals(self, client: str, account: str, result: str) -> int:
        return sum(1 for entry in self.audit(client=client, account=account, kind="refused") if entry["result"] == result)

    def until(self, check, seconds: float, what: str):
        deadline = time.monotonic() + seconds
        while not check():
            if time.monotonic() > deadline:
                self.fail(f"{what} did not happen within {seconds} s")
            time.sleep(0.05)

    def raised(self, call) -> VaultError:
        with self.assertRaises(VaultError) as caught:
            call()
        return caught.exception

    def switch(self, url: str, tls: Optional[ssl.SSLContext] = None) -> "Switch":
        proxy = Switch(url, tls)
        self.addCleanup(proxy.close)
        return proxy

    def following(self, stream) -> "Following":
        """The events of a stream, read by a thread of their own into a queue; the stream closed at the end."""
        following = Following(stream)
        self.addCleanup(following.stop)
        return following


def _json(raw: bytes):
    return json.loads(raw) if raw else None


class Following:
    """Reads a stream's events in a thread, as a strategy's event loop would, for the test to take one by one."""

    def __init__(self, stream):
        self.stream = stream
        self.events: "queue.Queue[object]" = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for event in self.stream:
                self.events.put(event)
        except BaseException as failure:  # handed to the test, which fails with it
            self.events.put(failure)
        self.events.put(None)

    def next(self, seconds: float = 10) -> Optional[Event]:
        """The next event, or None once the stream has ended; an error the stream raised is raised here."""
        try:
            item = self.events.get(timeout=seconds)
        except queue.Empty:
            raise AssertionError(f"no event within {seconds} s") from None
        if isinstance(item, BaseException):
            raise item
        return item  # type: ignore[return-value]

    def take(self, count: int, seconds: float) -> List[Optional[Event]]:
        """Up to count events, as many as come within seconds: a test compares the list with what it expects."""
        deadline = time.monotonic() + seconds
        taken: List[Optional[Event]] = []
        while len(taken) < count and time.monotonic() < deadline:
            try:
                item = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if isinstance(item, BaseException):
                raise item
            taken.append(item)  # type: ignore[arg-type]
        return taken

    def nothing_more(self, seconds: float) -> List[object]:
        """Whatever arrives within seconds: a test expects none."""
        time.sleep(seconds)
        more = []
        while not self.events.empty():
            more.append(self.events.get())
        return more

    def stop(self):
        self.stream.close()
        self.thread.join(10)
        if self.thread.is_alive():
            raise AssertionError("the stream's thread did not end within 10 s of close()")


class Switch:
    """The fleet's one address, as the proxy in front of the replicas gives it: a TCP proxy on 127.0.0.1 that sends
    each new connection to the replica it points at now. switch() points it at another, as a balancer takes a
    replica out of its rotation; a connection already made stays with its replica until one side ends it. With an
    ssl context it terminates TLS, as the proxy does in front of the plain-HTTP replicas."""

    def __init__(self, url: str, tls: Optional[ssl.SSLContext] = None):
        self._target = self._address(url)
        self._tls = tls
        self._lock = threading.Lock()
        self._sockets: List[socket.socket] = []
        self._threads: List[threading.Thread] = []
        self._stopped = False
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}"
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @staticmethod
    def _address(url: str):
        parts = urllib.parse.urlsplit(url)
        return parts.hostname, parts.port

    def switch(self, url: str):
        with self._lock:
            self._target = self._address(url)

    def close(self):
        with self._lock:
            self._stopped = True
            sockets = list(self._sockets)
        for each in sockets:
            _close(each)
        self._accepting.join(5)
        self._listener.close()
        for thread in list(self._threads):
            thread.join(5)

    def _accept(self):
        while True:
            with self._lock:
                if self._stopped:
                    return
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._carry, args=(client,), daemon=True)
            with self._lock:
                self.connections += 1
                self._threads.append(thread)
            thread.start()

    def _carry(self, client: socket.socket):
        with self._lock:
            target = self._target
            self._sockets.append(client)
        upstream = None
        try:
            client.settimeout(10)
            if self._tls is not None:
                client = self._tls.wrap_socket(client, server_side=True)
                with self._lock:
                    self._sockets.append(client)
            client.settimeout(None)
            upstream = socket.create_connection(target, timeout=5)
            upstream.settimeout(None)
            with self._lock:
                self._sockets.append(upstream)
                if self._stopped:
                    return
            back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
            back.start()
            _pump(client, upstream)
            back.join()
        except OSError:
            pass  # the replica is gone, or the client: the connection ends, as a balancer's does
        finally:
            _close(client)
            if upstream is not None:
                _close(upstream)


def _pump(source: socket.socket, sink: socket.socket):
    """Copies one way until either side ends; then ends both, so the other way stops too."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    _close(source)
    _close(sink)


def _close(each: socket.socket):
    try:
        each.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    each.close()


class TestCa:
    """A CA of the test's own, as a desk's internal CA, and a certificate it signed for 127.0.0.1, made by openssl
    (OPENSSL_BIN) in a temporary folder that close() removes."""

    def __init__(self):
        self._folder = tempfile.TemporaryDirectory(prefix="token-vault-ca-")
        folder = self._folder.name
        self.ca_file = os.path.join(folder, "ca.pem")
        self.cert_file = os.path.join(folder, "server.pem")
        self.key_file = os.path.join(folder, "server.key")
        extensions = os.path.join(folder, "server.ext")
        with open(extensions, "w") as written:
            written.write(
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
            )
        openssl = os.environ.get("OPENSSL_BIN") or "openssl"
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ca_key = os.path.join(folder, "ca.key")
        request = os.path.join(folder, "server.csr")
        for command in (
            [openssl, "req", "-x509", *ec, "-keyout", ca_key, "-out", self.ca_file, "-days", "2", "-subj", "/CN=token-vault test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            [openssl, "req", "-new", *ec, "-keyout", self.key_file, "-out", request, "-subj", "/CN=127.0.0.1"],
            [openssl, "x509", "-req", "-in", request, "-CA", self.ca_file, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
             "-extfile", extensions, "-out", self.cert_file],
        ):
            made = subprocess.run(command, capture_output=True, text=True)
            if made.returncode != 0:
                self.close()
                raise RuntimeError(f"{' '.join(command[:2])} failed: {made.stderr}")

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def close(self):
        self._folder.cleanup()


class StandIn:
    """A local HTTP server that answers every request with `answer(handler)`, remembering what reached it: the path,
    the Authorization and Last-Event-ID headers."""

    def __init__(self, answer: Callable[[http.server.BaseHTTPRequestHandler], None]):
        self.requests: List[Tuple[str, Optional[str], Optional[str]]] = []
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                stand_in.requests.append((self.path, self.headers.get("Authorization"), self.headers.get("Last-Event-ID")))
                answer(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def reply(status: int, body: str, content_type="application/json", headers=()):
    def answer(handler):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body.encode())))
        handler.end_headers()
        handler.wfile.write(body.encode())

    return answer
