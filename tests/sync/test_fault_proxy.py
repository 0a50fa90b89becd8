"""The fault proxy itself: what a client and the server each observe under every fault."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO

import pytest
import requests
from fault_proxy import FAULTS, FaultProxy

TIMEOUT = 5
#: what a client sees when an answer is lost or cut (a cut head can parse as a 200 with a bad body)
TRANSPORT_ERRORS = (
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.JSONDecodeError,
)
BIG_RESPONSE = 100_000


@dataclass(frozen=True)
class Seen:
    """One request as the upstream parsed it."""

    method: str
    path: str
    expected: int | None  # Content-Length, None when chunked
    received: int
    complete: bool
    connection: str | None


class _Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # writes to a connection the proxy already cut are expected here

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.seen.append(seen)

    def wait_for(self, n: int, timeout: float = 2.0) -> list[Seen]:
        """The records once there are at least ``n`` (the handler runs in its own thread)."""
        deadline = time.monotonic() + timeout
        while len(self.seen) < n and time.monotonic() < deadline:
            time.sleep(0.005)
        return list(self.seen)


def _read_chunked(rfile: BinaryIO) -> tuple[bytes, bool]:
    body = bytearray()
    while True:
        line = rfile.readline(4096)
        if not line.endswith(b"\r\n"):
            return bytes(body), False
        size = int(line.split(b";")[0], 16)
        if size == 0:
            return bytes(body), rfile.readline(4096) == b"\r\n"
        data = rfile.read(size + 2)
        body += data[:size]
        if len(data) < size + 2:
            return bytes(body), False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.record(Seen("GET", self.path, None, 0, True, self.headers.get("Connection")))
        if self.path == "/big":
            self._answer(200, b"x" * BIG_RESPONSE, "application/octet-stream")
        else:
            self._answer(200, json.dumps({"path": self.path}).encode())

    def do_POST(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            expected = None
            body, complete = _read_chunked(self.rfile)
        else:
            expected = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(expected)
            complete = len(body) == expected
        self.server.record(Seen("POST", self.path, expected, len(body), complete, self.headers.get("Connection")))
        if not complete:
            self.close_connection = True
            return
        reply = {"path": self.path, "received": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        self._answer(200, json.dumps(reply).encode())


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    server = _Upstream()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(2)


def _proxy(upstream: _Upstream, fault: str, **kwargs: object) -> FaultProxy:
    return FaultProxy(upstream.server_address[1], faults=lambda i, m, p: fault, **kwargs)


def _post(url: str, body: bytes = b"a" * 1000) -> requests.Response:
    return requests.post(url, data=body, timeout=TIMEOUT)


def test_pass_forwards_with_connection_close(upstream: _Upstream) -> None:
    with FaultProxy(upstream.server_address[1]) as proxy:
        resp = requests.post(
            f"{proxy.url}/items?x=1", json={"a": 1}, headers={"Connection": "keep-alive"}, timeout=TIMEOUT
        )
    assert resp.status_code == 200
    assert resp.json()["path"] == "/items?x=1"
    assert resp.headers["Connection"] == "close"
    [seen] = upstream.seen
    assert seen.complete and seen.connection == "close"
    assert proxy.log == [(0, "POST", "/items?x=1", "pass")]
    assert proxy.stats == Counter(**{"pass": 1})
    assert proxy.errors == []


def test_keep_alive_session_gets_fresh_connections(upstream: _Upstream) -> None:
    with FaultProxy(upstream.server_address[1]) as proxy, requests.Session() as session:
        for i in range(5):
            assert session.post(f"{proxy.url}/n/{i}", data=b"z" * i, timeout=TIMEOUT).json()["received"] == i
    assert [entry[0] for entry in proxy.log] == [0, 1, 2, 3, 4]
    assert len(upstream.seen) == 5 and proxy.errors == []


def test_drop_request_upstream_sees_nothing(upstream: _Upstream) -> None:
    with _proxy(upstream, "drop_request") as proxy:
        with pytest.raises(requests.ConnectionError):
            _post(proxy.url + "/drop")
    assert upstream.seen == []
    assert proxy.stats["drop_request"] == 1 and proxy.errors == []


def test_cut_request_upstream_gets_half_the_body(upstream: _Upstream) -> None:
    with _proxy(upstream, "cut_request") as proxy:
        with pytest.raises(requests.ConnectionError):
            _post(proxy.url + "/cut", b"b" * 1000)
    [seen] = upstream.wait_for(1)
    assert (seen.expected, seen.received, seen.complete) == (1000, 500, False)
    assert proxy.errors == []


def test_cut_request_chunked_body_never_completes(upstream: _Upstream) -> None:
    with _proxy(upstream, "cut_request") as proxy:
        with pytest.raises(requests.ConnectionError):
            requests.post(proxy.url + "/chunked", data=iter([b"c" * 300] * 4), timeout=TIMEOUT)
    [seen] = upstream.wait_for(1)
    assert seen.expected is None and not seen.complete and seen.received < 1200


def test_cut_request_without_body_cuts_the_head(upstream: _Upstream) -> None:
    with _proxy(upstream, "cut_request") as proxy:
        with pytest.raises(requests.ConnectionError):
            requests.get(proxy.url + "/get", timeout=TIMEOUT)
    assert proxy.log == [(0, "GET", "/get", "cut_request")]


def test_delay_then_success(upstream: _Upstream) -> None:
    with _proxy(upstream, "delay", delay_seconds=0.2) as proxy:
        started = time.monotonic()
        resp = _post(proxy.url + "/slow")
        elapsed = time.monotonic() - started
    assert resp.status_code == 200 and resp.json()["received"] == 1000
    assert elapsed >= 0.2
    assert len(upstream.seen) == 1


def test_error_500_without_forwarding(upstream: _Upstream) -> None:
    with _proxy(upstream, "error_500") as proxy:
        resp = _post(proxy.url + "/boom")
    assert resp.status_code == 500
    assert resp.headers["Connection"] == "close"
    assert "error_500" in resp.json()["detail"]
    assert upstream.seen == []


def test_lose_response_after_the_server_committed(upstream: _Upstream) -> None:
    with _proxy(upstream, "lose_response") as proxy:
        with pytest.raises(requests.ConnectionError):
            _post(proxy.url + "/lost")
        # the proxy read the whole answer before hanging up, so the server has already handled it
        assert [(s.path, s.received, s.complete) for s in upstream.seen] == [("/lost", 1000, True)]


def test_cut_response_small_answer_is_never_a_valid_answer(upstream: _Upstream) -> None:
    with _proxy(upstream, "cut_response") as proxy:
        # A cut inside the head can even look like "200 OK" with an empty body: http.client ends the head
        # at EOF and drops a half-sent "Content-Length:". A client must validate the body, not trust the 200.
        with pytest.raises(TRANSPORT_ERRORS):
            _post(proxy.url + "/half").json()
    assert len(upstream.seen) == 1 and upstream.seen[0].complete


def test_cut_response_inside_the_body_is_incomplete_read(upstream: _Upstream) -> None:
    with _proxy(upstream, "cut_response") as proxy:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(proxy.url + "/big", timeout=TIMEOUT)
        resp = requests.get(proxy.url + "/big", stream=True, timeout=TIMEOUT)
        assert resp.status_code == 200 and int(resp.headers["Content-Length"]) == BIG_RESPONSE
        got = bytearray()
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            for part in resp.iter_content(8192):
                got += part
        assert 0 < len(got) < BIG_RESPONSE


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_large_post_passes_intact(upstream: _Upstream, chunked: bool) -> None:
    body = os.urandom(200_000)
    data = iter([body[i : i + 16384] for i in range(0, len(body), 16384)]) if chunked else body
    with FaultProxy(upstream.server_address[1]) as proxy:
        resp = requests.post(proxy.url + "/big", data=data, timeout=TIMEOUT)
    assert resp.status_code == 200
    assert resp.json() == {"path": "/big", "received": 200_000, "sha256": hashlib.sha256(body).hexdigest()}


def _run_schedule(upstream: _Upstream, seed: int, n: int = 40) -> tuple[list[str], list[str]]:
    rates = {"drop_request": 0.15, "cut_request": 0.1, "error_500": 0.15, "lose_response": 0.15, "cut_response": 0.1}
    outcomes = []
    with FaultProxy(upstream.server_address[1], seed=seed, rates=rates) as proxy, requests.Session() as session:
        for i in range(n):
            try:
                resp = session.post(f"{proxy.url}/r/{i}", data=b"q" * 100, timeout=TIMEOUT)
                outcomes.append(
                    str(resp.status_code) if resp.status_code != 200 or resp.json()["received"] == 100 else "bad"
                )
            except TRANSPORT_ERRORS:
                outcomes.append("error")
    assert proxy.errors == []
    assert [entry[:3] for entry in proxy.log] == [(i, "POST", f"/r/{i}") for i in range(n)]
    return [entry[3] for entry in proxy.log], outcomes


def test_seeded_schedule_is_reproducible(upstream: _Upstream) -> None:
    faults_a, outcomes_a = _run_schedule(upstream, seed=7)
    faults_b, outcomes_b = _run_schedule(upstream, seed=7)
    faults_c, _ = _run_schedule(upstream, seed=8)
    assert faults_a == faults_b and outcomes_a == outcomes_b
    assert faults_a != faults_c
    assert {"pass", "drop_request", "error_500", "lose_response"} <= set(faults_a)
    expected = {"pass": "200", "error_500": "500"}
    assert outcomes_a == [expected.get(f, "error") for f in faults_a]


def test_chooser_gets_index_method_and_target(upstream: _Upstream) -> None:
    calls = []

    def chooser(index: int, method: str, path: str) -> str:
        calls.append((index, method, path))
        return "error_500" if index == 1 else "pass"

    with FaultProxy(upstream.server_address[1], faults=chooser) as proxy:
        statuses = [requests.get(f"{proxy.url}/c{i}?q=1", timeout=TIMEOUT).status_code for i in range(3)]
    assert statuses == [200, 500, 200]
    assert calls == [(0, "GET", "/c0?q=1"), (1, "GET", "/c1?q=1"), (2, "GET", "/c2?q=1")]
    assert [s.path for s in upstream.seen] == ["/c0?q=1", "/c2?q=1"]


def test_bad_configuration_is_rejected(upstream: _Upstream) -> None:
    port = upstream.server_address[1]
    with pytest.raises(ValueError, match="unknown faults"):
        FaultProxy(port, rates={"bogus": 0.1})
    with pytest.raises(ValueError, match="sum to at most 1"):
        FaultProxy(port, rates={"drop_request": 0.7, "error_500": 0.7})
    with _proxy(upstream, "bogus") as proxy:
        with pytest.raises(requests.ConnectionError):
            requests.get(proxy.url, timeout=TIMEOUT)
    assert "bogus" in str(proxy.errors[0])
    assert set(FAULTS) >= {"pass", "delay", "cut_response"}


def test_unreachable_upstream_is_502() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]  # closed again before use: nothing listens there
    with FaultProxy(dead_port) as proxy:
        resp = requests.get(proxy.url, timeout=TIMEOUT)
    assert resp.status_code == 502


def test_close_aborts_stuck_connections_and_stops_listening(upstream: _Upstream) -> None:
    proxy = FaultProxy(upstream.server_address[1])
    stuck = socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT)
    stuck.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")  # never finishes
    time.sleep(0.05)
    started = time.monotonic()
    proxy.close()
    proxy.close()  # idempotent
    assert time.monotonic() - started < 1.5
    assert stuck.recv(10) == b""  # the proxy hung up
    stuck.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=1).close()
    assert not any(t.name.startswith(f"FaultProxy:{proxy.port}") and t.is_alive() for t in threading.enumerate())
    assert proxy.log == []
