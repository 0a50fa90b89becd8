"""A fault-injecting HTTP/1.1 proxy for sync tests (stdlib only).

Put it between a sync client and a server on 127.0.0.1 and it breaks chosen requests the way real
networks do: the request never arrives, arrives cut short, the answer is lost after the server
committed, the answer arrives cut short, arrives late, or a 500 comes back without the server seeing
anything::

    with FaultProxy(server_port, rates={"lose_response": 0.2, "drop_request": 0.1}, seed=3) as proxy:
        client = SyncClient(proxy.url)
        ...
    print(proxy.stats, proxy.log)

Connection semantics (chosen to keep every fault unambiguous):

- One request per client connection. The proxy reads one full request (head, then a body framed by
  ``Content-Length`` or ``Transfer-Encoding: chunked``), applies the fault, answers, and closes the
  client connection. Every answer it forwards carries ``Connection: close`` (replacing the upstream's
  ``Connection``/``Keep-Alive`` headers), so a keep-alive client such as ``requests.Session`` just
  opens a new connection for its next request. ``Expect: 100-continue`` is not supported.
- Every forwarded request goes to the upstream over a new connection with ``Connection: close``
  forced; the upstream response is read until the upstream closes. The request target and ``Host``
  are forwarded unchanged.
- The fault is chosen once the whole request has been read; ``request_index`` counts requests in
  that order (0, 1, 2, ...) across all connections.
- If the upstream cannot be reached (or fails before sending anything) the client gets a 502.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from types import TracebackType

__all__ = ["FAULTS", "FaultChooser", "FaultProxy"]

#: Every fault the proxy knows; "pass" forwards the request untouched.
FAULTS: tuple[str, ...] = (
    "pass",
    "drop_request",
    "cut_request",
    "delay",
    "error_500",
    "lose_response",
    "cut_response",
)

#: ``(request_index, method, request_target) -> fault``
FaultChooser = Callable[[int, str, str], str]

_MAX_HEAD = 64 * 1024
_MAX_BODY = 64 * 1024 * 1024
_MAX_RESPONSE = 64 * 1024 * 1024
_HOP_HEADERS = frozenset({b"connection", b"keep-alive", b"proxy-connection"})


def _canned(status: str, detail: str) -> bytes:
    body = f'{{"detail": "fault_proxy: {detail}"}}'.encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode("latin-1") + body


_ERROR_500 = _canned("500 Internal Server Error", "injected error_500")
_BAD_GATEWAY = _canned("502 Bad Gateway", "upstream unreachable")


class _Closed(Exception):
    """The peer closed, or sent something unusable, before a full message arrived."""


class _Reader:
    """Buffered reads from a socket; raises `_Closed` at EOF."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()

    def _fill(self) -> None:
        data = self._sock.recv(65536)
        if not data:
            raise _Closed("peer closed mid-message")
        self._buf += data

    def read_until(self, marker: bytes, limit: int) -> bytes:
        """Bytes up to and including ``marker``; at most ``limit`` bytes are looked through."""
        start = 0
        while True:
            i = self._buf.find(marker, start)
            if i >= 0:
                end = i + len(marker)
                out = bytes(self._buf[:end])
                del self._buf[:end]
                return out
            if len(self._buf) > limit:
                raise _Closed(f"no {marker!r} within {limit} bytes")
            start = max(0, len(self._buf) - len(marker) + 1)
            self._fill()

    def read_exact(self, n: int) -> bytes:
        """Exactly ``n`` bytes."""
        while len(self._buf) < n:
            self._fill()
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


def _split_head(head: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """(start line, [(name, value)]) of a message head ending in CRLFCRLF."""
    lines = head[:-4].split(b"\r\n")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name.strip():
            raise _Closed(f"bad header line {line[:80]!r}")
        headers.append((name.strip(), value.strip()))
    return lines[0], headers


def _join_head(start: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The head with hop-by-hop connection headers replaced by ``Connection: close``."""
    kept = [b"%s: %s" % (n, v) for n, v in headers if n.lower() not in _HOP_HEADERS]
    return b"\r\n".join([start, *kept, b"Connection: close"]) + b"\r\n\r\n"


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for n, v in headers:
        if n.lower() == name:
            return v
    return None


def _read_body(reader: _Reader, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The raw body bytes as sent (chunked framing kept)."""
    te = _header(headers, b"transfer-encoding")
    if te is not None and b"chunked" in te.lower():
        return _read_chunked(reader)
    cl = _header(headers, b"content-length")
    if cl is None:
        return b""
    try:
        n = int(cl)
    except ValueError:
        raise _Closed(f"bad Content-Length {cl!r}") from None
    if not 0 <= n <= _MAX_BODY:
        raise _Closed(f"Content-Length {n} out of range")
    return reader.read_exact(n)


def _read_chunked(reader: _Reader) -> bytes:
    raw = bytearray()
    while True:
        line = reader.read_until(b"\r\n", 4096)
        raw += line
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _Closed(f"bad chunk size line {line[:80]!r}") from None
        if size == 0:
            while True:  # trailers, then the empty line
                trailer = reader.read_until(b"\r\n", _MAX_HEAD)
                raw += trailer
                if trailer == b"\r\n":
                    return bytes(raw)
        if size < 0 or len(raw) + size > _MAX_BODY:
            raise _Closed(f"chunk of {size} bytes out of range")
        raw += reader.read_exact(size + 2)


def _force_close(response: bytes) -> bytes:
    """The response with its Connection/Keep-Alive headers replaced by ``Connection: close``."""
    end = response.find(b"\r\n\r\n")
    if end < 0:
        return response
    try:
        start, headers = _split_head(response[: end + 4])
    except _Closed:
        return response
    return _join_head(start, headers) + response[end + 4 :]


class FaultProxy:
    """Fault-injecting HTTP proxy listening on 127.0.0.1; see the module docstring.

    ``faults`` (if given) picks each request's fault; otherwise ``rates`` maps faults to
    probabilities drawn with ``random.Random(seed)`` (the rest is "pass"). With neither, all pass.
    ``stats`` counts the faults applied and ``log`` lists ``(index, method, target, fault)``;
    ``errors`` collects unexpected exceptions from handler threads (bad requests, a chooser that
    raised or returned an unknown fault).
    """

    def __init__(
        self,
        upstream_port: int,
        *,
        upstream_host: str = "127.0.0.1",
        faults: FaultChooser | None = None,
        seed: int = 0,
        rates: Mapping[str, float] | None = None,
        delay_seconds: float = 0.3,
        timeout: float = 10.0,
    ) -> None:
        rates = dict(rates or {})
        unknown = sorted(set(rates) - set(FAULTS))
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {FAULTS}")
        if any(p < 0 for p in rates.values()) or sum(rates.values()) > 1 + 1e-9:
            raise ValueError(f"rates must be >= 0 and sum to at most 1: {rates}")
        self.upstream = (upstream_host, upstream_port)
        self.delay_seconds = delay_seconds
        self.timeout = timeout
        self.stats: Counter[str] = Counter()
        self.log: list[tuple[int, str, str, str]] = []
        self.errors: list[BaseException] = []
        self._faults = faults
        self._rates = rates
        self._rng = random.Random(seed)
        self._next_index = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()

        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._listener.bind(("127.0.0.1", 0))
            self._listener.listen(64)
            self._listener.settimeout(0.1)  # so the accept loop notices close()
        except OSError:
            self._listener.close()
            raise
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"FaultProxy:{self.port}", daemon=True)
        self._acceptor.start()

    # -- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self, timeout: float = 2.0) -> None:
        """Stop listening, abort open connections and join the threads (at most ~``timeout`` s)."""
        if self._closing.is_set():
            return
        self._closing.set()
        deadline = time.monotonic() + timeout
        self._acceptor.join(timeout)
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # -- internals ---------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(
                target=self._handle, args=(client,), name=f"FaultProxy:{self.port}:conn", daemon=True
            )
            with self._lock:
                self._threads.add(thread)
            thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            if self._closing.is_set():
                sock.close()
                raise _Closed("proxy closing")
            self._sockets.add(sock)

    def _release(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.discard(sock)
        sock.close()

    def _choose(self, method: str, target: str) -> str:
        with self._lock:
            index = self._next_index
            self._next_index += 1
            if self._faults is not None:
                fault = self._faults(index, method, target)
            else:
                fault = "pass"
                r, acc = self._rng.random(), 0.0
                for name, p in self._rates.items():
                    acc += p
                    if r < acc:
                        fault = name
                        break
            if fault not in FAULTS:
                raise ValueError(f"fault chooser returned {fault!r} for request {index}; known: {FAULTS}")
            self.stats[fault] += 1
            self.log.append((index, method, target, fault))
        return fault

    def _connect_upstream(self) -> socket.socket:
        sock = socket.create_connection(self.upstream, timeout=self.timeout)
        try:
            self._track(sock)
        except _Closed:
            sock.close()
            raise
        return sock

    def _exchange(self, upstream: socket.socket, request: bytes) -> bytes | None:
        """Send ``request`` and read the response until the upstream closes; None if nothing came."""
        try:
            upstream.sendall(request)
        except OSError:
            pass  # the upstream may have answered early and closed; read whatever it sent
        response = bytearray()
        try:
            while len(response) <= _MAX_RESPONSE:
                part = upstream.recv(65536)
                if not part:
                    break
                response += part
        except OSError:
            return None
        return bytes(response) or None

    @staticmethod
    def _send(client: socket.socket, data: bytes) -> None:
        client.sendall(data)
        try:
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _handle(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            self._track(client)
            client.settimeout(self.timeout)
            reader = _Reader(client)
            try:
                head = reader.read_until(b"\r\n\r\n", _MAX_HEAD)
            except (_Closed, OSError):
                return  # connected and left without a request: nothing to count
            start, headers = _split_head(head)
            parts = start.decode("latin-1").split(" ")
            if len(parts) != 3:
                raise _Closed(f"bad request line {start[:80]!r}")
            method, target = parts[0], parts[1]
            body = _read_body(reader, headers)
            fault = self._choose(method, target)

            if fault == "drop_request":
                return
            if fault == "error_500":
                self._send(client, _ERROR_500)
                return
            if fault == "delay" and self._closing.wait(self.delay_seconds):
                return
            upstream_head = _join_head(start, headers)
            try:
                upstream = self._connect_upstream()
            except OSError:
                if fault != "cut_request":
                    self._send(client, _BAD_GATEWAY)
                return
            if fault == "cut_request":
                # half the body; with no body, half the head, so the upstream never sees a whole request
                partial = upstream_head + body[: len(body) // 2] if body else upstream_head[: len(upstream_head) // 2]
                upstream.sendall(partial)
                return
            response = self._exchange(upstream, upstream_head + body)
            self._release(upstream)
            upstream = None
            if response is None:
                self._send(client, _BAD_GATEWAY)
                return
            if fault == "lose_response":
                return
            response = _force_close(response)
            if fault == "cut_response":
                response = response[: len(response) // 2]
            self._send(client, response)
        except Exception as exc:  # kept for the test to inspect, never lost silently
            if not self._closing.is_set():
                with self._lock:
                    self.errors.append(exc)
        finally:
            self._release(upstream)
            self._release(client)
            with self._lock:
                self._threads.discard(threading.current_thread())
