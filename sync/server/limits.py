"""Request bodies kept in bounds while they arrive, in the server itself (not only behind nginx).

``BodyLimit`` wraps the API (ASGI). Each route class has its own limit: a declared
``Content-Length`` over it is refused at once with 413, and a body sent without one
(chunked) is counted as it is read and refused the moment it passes the limit: nothing
larger than the limit is ever held. On the routes that take a large body, the device
credential is checked first, so a stranger's upload is refused (401) before one byte of
it is read. A refusal closes the connection, so the rest of a huge body is not read either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import CunFangError, ErrorCode
from sync import protocol
from sync.server.service import Service, ServiceError

SMALL_BODY = 64 * 1024  # enrollment and anything unexpected (a GET takes no body at all)


@dataclass(frozen=True)
class RouteClass:
    method: str
    path: re.Pattern[str]
    limit: int
    credential: bool  # checked before the body is read


ROUTES = (
    RouteClass("PUT", re.compile(rf"^{protocol.API}/attachments/[^/]+$"), protocol.MAX_CHUNK, True),
    RouteClass("POST", re.compile(rf"^{protocol.API}/(records|registry|audit)$"), protocol.MAX_JSON_BODY, True),
)


def route_class(method: str, path: str) -> RouteClass | None:
    return next((r for r in ROUTES if r.method == method and r.path.match(path)), None)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: authenticate before a large body, and never read more of a body than its route allows.

    The caller found here is left in ``scope["state"]["caller"]`` for the route (one lookup per request).
    """

    def __init__(self, app: ASGIApp, service: Service):
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = route_class(scope["method"], scope["path"])
        limit = kind.limit if kind else 0 if scope["method"] in ("GET", "HEAD", "OPTIONS") else SMALL_BODY
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            await _refuse(send, 413, _too_large(limit))
            return
        if kind is not None and kind.credential:
            try:
                caller = await run_in_threadpool(self._caller, headers.get("authorization", ""))
            except ServiceError as exc:
                await _refuse(send, exc.status, exc)
                return
            scope.setdefault("state", {})["caller"] = caller
        try:
            body, disconnected = await _read(receive, limit)
        except _TooLarge:
            await _refuse(send, 413, _too_large(limit))
            return
        await self.app(scope, _replay(body, disconnected, receive), send)

    def _caller(self, authorization: str):
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise ServiceError(401, ErrorCode.SYNC_NOT_ENROLLED)
        return self.service.authenticate(credential.strip())


async def _read(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The whole body, counted as it arrives; ``_TooLarge`` as soon as it passes ``limit``."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(parts), True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        if chunk:
            parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts), False


def _replay(body: bytes, disconnected: bool, receive: Receive) -> Receive:
    """The body read above, handed to the app as one message (then whatever the connection says next)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if disconnected:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _too_large(limit: int) -> CunFangError:
    return CunFangError(ErrorCode.SYNC_BAD_REQUEST, reason=f"一次发送的数据超过了 {_size(limit)} 的上限")


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"


async def _refuse(send: Send, status: int, error: CunFangError) -> None:
    """An ``ErrorBody`` answer that closes the connection (the unread rest of the body is never read)."""
    body = json.dumps({"code": error.code.name, "message": error.message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
