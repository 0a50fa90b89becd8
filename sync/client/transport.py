"""HTTP to the bureau server: TLS from the OS trust store (plus an optional bureau CA), timeouts, plain errors.

Every failure becomes a ``CunFangError`` with a Chinese message; ``Transient`` ones
(no network, a cut connection, a server error, a garbled answer) are worth retrying,
the others need a person. Certificate checks are never turned off.
"""

from __future__ import annotations

import ssl
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter

from app.errors import CunFangError, ErrorCode
from sync.protocol import API

M = TypeVar("M", bound=BaseModel)
TIMEOUT = (10, 120)  # connect, read (a batch with validation can take a while on a busy county server)


class Transient(CunFangError):
    """Worth trying again later: the network or the server, not the data."""


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The OS trust store (truststore: Windows/macOS keychains, Linux CA bundle), plus the bureau's own CA."""
    try:
        import truststore

        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except ImportError:  # pragma: no cover - truststore is a dependency; Python's defaults are the fallback
        context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class _TLSAdapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext):
        self._context = context
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["ssl_context"] = self._context
        return super().init_poolmanager(*args, **kwargs)


class Transport:
    """One server, one credential, one connection pool."""

    def __init__(self, url: str, *, credential: str | None = None, ca_file: str | None = None,
                 timeout: tuple[float, float] = TIMEOUT):
        self.url = url.rstrip("/")
        if self.url.endswith(API):
            self.url = self.url[: -len(API)]
        self.timeout = timeout
        self.server_date: str | None = None  # the Date header of the last answer
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies from the environment: the county network decides routes
        if self.url.startswith("https://"):
            self.session.mount("https://", _TLSAdapter(tls_context(ca_file)))
        if credential:
            self.session.headers["Authorization"] = f"Bearer {credential}"
        self.session.headers["User-Agent"] = "CunFang-sync/1"

    def close(self) -> None:
        self.session.close()

    def call(self, method: str, path: str, model: type[M] | None = None, **kwargs: Any) -> M | bytes:
        """Send one request; returns the parsed model (or the raw bytes when ``model`` is None)."""
        try:
            response = self.session.request(method, self.url + API + path, timeout=self.timeout, **kwargs)
            self.server_date = response.headers.get("Date")  # the server's clock, for app.clock's check
            body = response.content  # reads the whole body: a cut answer fails here
        except requests.exceptions.SSLError as exc:
            raise CunFangError(ErrorCode.SYNC_TLS_FAILED, url=self.url, reason=_short(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise Transient(ErrorCode.SYNC_UNREACHABLE, url=self.url, reason=_short(exc)) from exc
        if response.status_code >= 500 or response.status_code in (408, 429, 502, 503, 504):
            raise Transient(ErrorCode.SYNC_SERVER_ERROR, status=response.status_code)
        if response.status_code >= 400:
            raise _refusal(response)
        if model is None:
            return body
        try:
            return model.model_validate_json(body)
        except ValidationError as exc:  # a cut or garbled answer that still said 200
            raise Transient(ErrorCode.SYNC_SERVER_ERROR, status=f"{response.status_code}，回答不完整") from exc


def _refusal(response: requests.Response) -> CunFangError:
    """A 4xx answer as the catalogue error the server named, with the server's Chinese message."""
    try:
        body = response.json()
        code = ErrorCode[body["code"]]
    except (ValueError, KeyError, TypeError):
        return CunFangError(ErrorCode.SYNC_BAD_REQUEST, reason=f"HTTP {response.status_code}")
    return ServerRefusal(code, str(body.get("message") or ""), response.status_code)


class ServerRefusal(CunFangError):
    """The server said no (401, 404, 409, 413, 422): its code and its message, as it sent them."""

    def __init__(self, code: ErrorCode, text: str, status: int):
        self.text, self.status = text, status
        super().__init__(code)

    @property
    def message(self) -> str:
        return self.text or self.code.name


def _short(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Caused by", "(Caused"):
        if marker in text:
            text = text[text.index(marker):]
    return text[:200]
