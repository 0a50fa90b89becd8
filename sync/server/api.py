"""The bureau server's HTTP API (FastAPI): protocol v1 of ``sync.protocol`` over ``service.Service``.

Every refusal is ``ErrorBody`` (a code and a Chinese message), never a stack trace;
the OpenAPI document at ``/api/v1/openapi.json`` lists each answer a route can give.
"""

import logging
import os
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from app.errors import CunFangError, ErrorCode
from sync import protocol
from sync.protocol import API, ErrorBody
from sync.server.db import make_engine, migrate
from sync.server.limits import BodyLimit
from sync.server.service import SERVER_VERSION, Caller, Service, ServiceError

log = logging.getLogger("cunfang.server")
DB_ENV = "CUNFANG_SERVER_DB"
# The newest app version this bureau offers, told to laptops in /health (``serve --client-version`` sets them)
CLIENT_VERSION_ENV, CLIENT_URL_ENV, CLIENT_NOTES_ENV = "CUNFANG_CLIENT_VERSION", "CUNFANG_CLIENT_URL", \
    "CUNFANG_CLIENT_NOTES"
UPLOAD_DAYS_ENV, DEVICE_QUOTA_ENV = "CUNFANG_UPLOAD_DAYS", "CUNFANG_DEVICE_QUOTA_MB"
Digest = Annotated[str, Path(pattern=protocol.SHA256)]
PathText = Annotated[str, Path(pattern=protocol.NO_NUL)]

ERRORS = {status: {"model": ErrorBody} for status in (400, 401, 404, 409, 413, 422, 500, 503)}


def _error(http_status: int, code: ErrorCode, **context: object) -> JSONResponse:
    error = CunFangError(code, **context)
    return JSONResponse(status_code=http_status, content={"code": code.name, "message": error.message})


def create_app(service: Service, *, client_update: protocol.ClientUpdate | None = None) -> FastAPI:
    """The API for one database; ``service.ensure_setup()`` must have run.

    ``client_update``: the newest app version the bureau offers; /health tells it to clients that ask.
    """
    app = FastAPI(title="村访通 县局同步服务器 (CunFang bureau server)", version=SERVER_VERSION,
                  openapi_url=f"{API}/openapi.json", docs_url=f"{API}/docs", redoc_url=None)
    app.state.service = service
    bearer = HTTPBearer(auto_error=False)

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"code": exc.code.name, "message": exc.message})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, ErrorCode.SYNC_BAD_REQUEST, reason=f"{where}：{first.get('msg', '')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, ErrorCode.SYNC_BAD_REQUEST, reason=str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected server error")
        return _error(500, ErrorCode.SYNC_SERVER_ERROR, status=500)

    def caller(request: Request,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
        checked = getattr(request.state, "caller", None)  # BodyLimit checked it before reading a large body
        if checked is not None:
            return checked
        if credentials is None:
            raise ServiceError(401, ErrorCode.SYNC_NOT_ENROLLED)
        return service.authenticate(credentials.credentials)

    Who = Annotated[Caller, Depends(caller)]

    @app.get(f"{API}/health", response_model=protocol.Health, response_model_exclude_none=True, responses=ERRORS)
    def health(client_version: Annotated[str | None, Query(max_length=40, pattern=protocol.NO_NUL)] = None
               ) -> protocol.Health:
        # the offer goes only to a client that asked (it sends its own version): older clients refuse extra fields
        return protocol.Health(ok=True, protocol=protocol.PROTOCOL_VERSION, server=SERVER_VERSION,
                               client_update=client_update if client_version is not None else None)

    @app.post(f"{API}/enroll", response_model=protocol.EnrollResponse, responses=ERRORS)
    def enroll(body: protocol.EnrollRequest) -> protocol.EnrollResponse:
        return service.enroll(body.token, body.device_name)

    @app.get(f"{API}/me", response_model=protocol.UserInfo, responses=ERRORS)
    def me(who: Who) -> protocol.UserInfo:
        return service.user_info(who)

    @app.get(f"{API}/forms", response_model=protocol.FormList, responses=ERRORS)
    def forms(who: Who) -> protocol.FormList:
        return service.form_list(who)

    @app.get(f"{API}/forms/{{form_id}}/{{version}}", responses=ERRORS | {200: {"content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    def form_file(form_id: PathText, version: PathText, who: Who) -> Response:
        content = service.form_content(who, form_id, version)
        if content is None:
            raise ServiceError(404, ErrorCode.SYNC_FORM_UNKNOWN, form_id=form_id, version=version)
        return Response(content, media_type="application/octet-stream")

    @app.get(f"{API}/regions", response_model=protocol.RegionLists, responses=ERRORS)
    def region_lists(who: Who) -> protocol.RegionLists:
        return service.region_lists(who)

    @app.get(f"{API}/regions/{{county}}", response_model=protocol.RegionList, responses=ERRORS)
    def region_list(county: Annotated[str, Path(pattern=r"^\d{6}$")], who: Who) -> protocol.RegionList:
        found = service.region_list(who, county)
        if found is None:
            raise ServiceError(404, ErrorCode.REGION_LIST_NONE, county=county)
        return found

    @app.get(f"{API}/attachments/{{digest}}", response_model=protocol.AttachmentStatus, responses=ERRORS)
    def attachment_status(digest: Digest,
                          who: Who) -> protocol.AttachmentStatus:
        return service.attachment_status(who, digest)

    @app.put(f"{API}/attachments/{{digest}}", response_model=protocol.AttachmentStatus, responses=ERRORS,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def attachment_chunk(request: Request, digest: Digest,
                               offset: Annotated[int, Query(ge=0)], total: Annotated[int, Query(ge=1)],
                               who: Who) -> protocol.AttachmentStatus:
        try:  # BodyLimit has read it already, refusing it while it arrived if it passed MAX_CHUNK
            data = await request.body()
        except ClientDisconnect:  # the laptop's connection dropped mid-chunk: it resumes from what we have
            return JSONResponse(status_code=400, content={"code": "SYNC_BAD_REQUEST", "message": "连接中断"})
        if not data or len(data) > protocol.MAX_CHUNK:
            raise ServiceError(422, ErrorCode.SYNC_BAD_REQUEST, reason="附件分块为空或过大")
        return await run_in_threadpool(service.put_chunk, who, digest, offset, total, data)

    @app.post(f"{API}/records", response_model=protocol.PushResponse, responses=ERRORS)
    def push(body: protocol.PushRequest, who: Who) -> protocol.PushResponse:
        return protocol.PushResponse(results=service.push(who, body.records))

    @app.post(f"{API}/audit", response_model=protocol.AuditPushResponse, responses=ERRORS)
    def audit_push(body: protocol.AuditPush, who: Who) -> protocol.AuditPushResponse:
        return service.audit_push(who, body)

    @app.get(f"{API}/registry", response_model=protocol.RegistryPage, responses=ERRORS)
    def registry(who: Who, cursor: Annotated[int, Query(ge=0, le=protocol.MAX_SEQ)] = 0,
                 limit: Annotated[int, Query(ge=1, le=protocol.REGISTRY_PAGE)] = protocol.REGISTRY_PAGE
                 ) -> protocol.RegistryPage:
        return service.registry_pull(who, cursor, limit)

    @app.post(f"{API}/registry", response_model=protocol.RegistryPushResponse, responses=ERRORS)
    def registry_push(body: protocol.RegistryPush, who: Who) -> protocol.RegistryPushResponse:
        return protocol.RegistryPushResponse(results=service.registry_push(who, body.items))

    from sync.server.console.routes import mount_console  # the bureau's web console at /console

    mount_console(app, service)
    app.add_middleware(BodyLimit, service=service)
    return app


def open_service(url: str, *, migrate_db: bool = True) -> Service:
    """A service on ``url``, its schema brought up to date and its first-start setup done."""
    engine = make_engine(url)
    if migrate_db:
        migrate(engine)
    service = Service(engine, **upload_settings_from_env())
    service.ensure_setup()
    return service


def upload_settings_from_env() -> dict:
    """How long unfinished uploads are kept and how much each device may hold (``serve --upload-days``,
    ``--device-quota-mb``; CUNFANG_UPLOAD_DAYS, CUNFANG_DEVICE_QUOTA_MB); the defaults when not set."""
    settings: dict = {}
    days, quota = os.environ.get(UPLOAD_DAYS_ENV, "").strip(), os.environ.get(DEVICE_QUOTA_ENV, "").strip()
    if days:
        settings["upload_days"] = float(days)
    if quota:
        settings["device_quota"] = int(float(quota) * 2**20)
    return settings


def client_update_from_env() -> protocol.ClientUpdate | None:
    """The app version offered to laptops, from CUNFANG_CLIENT_VERSION (URL, notes); None when not set."""
    version = os.environ.get(CLIENT_VERSION_ENV, "").strip()
    if not version:
        return None
    return protocol.ClientUpdate(version=version, url=os.environ.get(CLIENT_URL_ENV, "").strip(),
                                 notes=os.environ.get(CLIENT_NOTES_ENV, "").strip())


def app_from_env() -> FastAPI:
    """The uvicorn factory for ``--workers N``: each worker opens the database named in CUNFANG_SERVER_DB."""
    return create_app(open_service(os.environ[DB_ENV], migrate_db=False), client_update=client_update_from_env())
