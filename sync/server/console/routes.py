"""The console's routes under ``/console``: sign-in, pages and the few POSTs (each with its CSRF token)."""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import segno
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from app.errors import CunFangError, ErrorCode
from app.roles import ROLES
from app.spreadsheets.ledgers import ledgers, load_ledger
from sync.server import tables as t
from sync.server.console import audit
from sync.server.console.accounts import COOKIE, IDLE_SECONDS, ConsoleAccounts, ConsoleUser
from sync.server.console.views import VISIT_TARGET, Views, today
from sync.server.ledgers import visible_villages
from sync.server.services.accounts import TOKEN_DAYS

HERE = Path(__file__).parent
PRE_COOKIE = "cunfang_console_pre"  # the sign-in form's CSRF token (double submit), before any session
NAV = (("overview", "/console/", "总览"), ("persons", "/console/persons", "人员"),
       ("records", "/console/records", "记录"),
       ("queue", "/console/queue", "红线与发现报告"), ("users", "/console/users", "用户与设备"),
       ("forms", "/console/forms", "表单"), ("conflicts", "/console/conflicts", "冲突"),
       ("export", "/console/export", "导出"), ("audit", "/console/audit", "审计"))
HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                      "frame-ancestors 'none'; form-action 'self'",
           "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
           "Cache-Control": "no-store"}


class NeedSignIn(Exception):
    def __init__(self, expired: bool = False):
        self.expired = expired


class Refused(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def mount_console(app: FastAPI, service) -> None:
    """Add the console to the server's app (pages at /console, files at /console/static)."""
    accounts = ConsoleAccounts(service.db)
    views = Views(service.db, service.forms)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(nav=NAV, target=VISIT_TARGET)
    router = APIRouter(prefix="/console", include_in_schema=False)

    def render(request: Request, template: str, user: ConsoleUser | None, status: int = 200,
               **context) -> HTMLResponse:
        response = templates.TemplateResponse(request, template, {"user": user, **context}, status_code=status)
        response.headers.update(HEADERS)
        return response

    def signed_in(request: Request, page: str | None = None) -> ConsoleUser:
        token = request.cookies.get(COOKIE, "")
        user = accounts.session(token)
        if user is None:
            raise NeedSignIn(expired=bool(token))
        if page and not user.may(page):
            raise Refused(403, CunFangError(ErrorCode.CONSOLE_FORBIDDEN).message)
        return user

    async def posted(request: Request, user: ConsoleUser) -> dict:
        form = await request.form()
        if not secrets.compare_digest(str(form.get("csrf", "")), user.csrf):
            audit.note(service.db, action="console_csrf", caller=user.caller, subject=request.url.path,
                                 outcome="refused")
            raise Refused(403, CunFangError(ErrorCode.CONSOLE_CSRF).message)
        return dict(form)

    @app.exception_handler(NeedSignIn)
    async def _sign_in(request: Request, exc: NeedSignIn) -> Response:
        where = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        response = RedirectResponse(f"/console/login?next={where}{'&expired=1' if exc.expired else ''}", 303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        token = request.cookies.get(COOKIE, "")
        return render(request, "refused.html", accounts.session(token) if token else None, exc.status,
                      message=exc.message)

    def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")

    # ---------------------------------------------------------------- signing in and out

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/console/", expired: int = 0) -> Response:
        pre = secrets.token_urlsafe(24)
        response = render(request, "login.html", None, pre=pre, next=_local(next),
                          message=CunFangError(ErrorCode.CONSOLE_SIGN_IN_AGAIN).message if expired else "")
        set_cookie(request, response, PRE_COOKIE, pre, 600)
        return response

    @router.post("/login", response_class=HTMLResponse)
    def login(request: Request, name: Annotated[str, Form(max_length=100)] = "",
              password: Annotated[str, Form(max_length=200)] = "", csrf: Annotated[str, Form()] = "",
              next: Annotated[str, Form()] = "/console/") -> Response:
        if not csrf or not secrets.compare_digest(csrf, request.cookies.get(PRE_COOKIE, "")):
            raise Refused(403, CunFangError(ErrorCode.CONSOLE_CSRF).message)
        try:
            token = accounts.sign_in(name, password)
        except CunFangError as exc:
            pre = secrets.token_urlsafe(24)
            response = render(request, "login.html", None, 401, pre=pre, next=_local(next), message=exc.message,
                              name=name)
            set_cookie(request, response, PRE_COOKIE, pre, 600)
            return response
        response = RedirectResponse(_local(next), 303)
        set_cookie(request, response, COOKIE, token, None)  # a browser-session cookie; the server ends it idle
        response.delete_cookie(PRE_COOKIE, path="/console")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        user = signed_in(request)
        await posted(request, user)
        accounts.sign_out(request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/console/login", 303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    # ---------------------------------------------------------------- pages

    @router.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> Response:
        user = signed_in(request)
        if not user.may("overview"):
            return RedirectResponse("/console/users", 303)
        caller = user.caller
        trend = views.trend(caller)
        return render(request, "overview.html", user, towns=views.overview(caller), trend=trend,
                      today=today(), chart=Markup(_bar_chart(trend)))

    @router.get("/persons", response_class=HTMLResponse)
    def persons(request: Request, q: Annotated[str, Query(max_length=50)] = "", village: str = "", kind: str = "",
                overdue: int = 0, visited: int = 0, to_visit: int = 0, page: Annotated[int, Query(ge=0)] = 0
                ) -> Response:
        user = signed_in(request, "persons")
        rows = views.persons(user.caller, q=q, village=village, kind=kind, overdue=bool(overdue),
                             visited=bool(visited), to_visit=bool(to_visit), offset=page * 100)
        return render(request, "persons.html", user, rows=rows, q=q, village=village, kind=kind, overdue=overdue,
                      visited=visited, to_visit=to_visit, page=page)

    @router.get("/persons/{person_id}", response_class=HTMLResponse)
    def person(request: Request, person_id: str) -> Response:
        user = signed_in(request, "persons")
        found = views.person(user.caller, person_id)
        if found is None:
            raise Refused(404, "没有这个人，或不在您的查看范围内。")
        return render(request, "person.html", user, p=found, titles=views.form_titles(), full_id="")

    @router.post("/persons/{person_id}/id-number", response_class=HTMLResponse)
    async def person_full_id(request: Request, person_id: str) -> Response:
        user = signed_in(request, "persons")
        await posted(request, user)
        found = views.person(user.caller, person_id)
        if found is None:
            raise Refused(404, "没有这个人，或不在您的查看范围内。")
        if not user.role.scope_role.sees_full_ids:
            raise Refused(403, CunFangError(ErrorCode.CONSOLE_FORBIDDEN).message)
        audit.note(service.db, action="console_view_id", caller=user.caller, subject=person_id, outcome="ok",
                             message="查看完整身份证号")
        return render(request, "person.html", user, p=found, titles=views.form_titles(), full_id=found["id_number"])

    @router.get("/records", response_class=HTMLResponse)
    def records(request: Request, form: str = "", village: str = "", start: str = "", end: str = "",
                conflicts: int = 0, page: Annotated[int, Query(ge=0)] = 0) -> Response:
        user = signed_in(request, "records")
        rows = views.records(user.caller, form=form, village=village, start=_day(start), end=_day(end),
                             conflicts=bool(conflicts), offset=page * 100)
        return render(request, "records.html", user, rows=rows, titles=views.form_titles(), form=form,
                      village=village, start=start, end=end, conflicts=conflicts, page=page)

    @router.get("/records/{uuid}", response_class=HTMLResponse)
    def record(request: Request, uuid: str) -> Response:
        user = signed_in(request, "records")
        row = views.record(user.caller, uuid)
        if row is None:
            raise Refused(404, "没有这条记录，或不在您的查看范围内。")
        return render(request, "record.html", user, r=row, paper=Markup(_paper(service, row)),
                      titles=views.form_titles())

    @router.get("/queue", response_class=HTMLResponse)
    def queue(request: Request, village: str = "", type: str = "") -> Response:
        user = signed_in(request, "queue")
        flags = views.open_flags(user.caller, village=village) if type in ("", "flag") else []
        reports = views.open_reports(user.caller, village=village) if type in ("", "report") else []
        return render(request, "queue.html", user, flags=flags, reports=reports, village=village, type=type)

    def users_page(request: Request, user: ConsoleUser, status: int = 200, **context) -> HTMLResponse:
        return render(request, "users.html", user, status, devices=views.devices(), consoles=accounts.list(),
                      roles=ROLES.values(), **context)

    @router.get("/users", response_class=HTMLResponse)
    def users(request: Request) -> Response:
        return users_page(request, signed_in(request, "users"))

    @router.post("/users", response_class=HTMLResponse)
    async def user_add(request: Request) -> Response:
        """A new sync user (or a new 登记码 for one): the code is shown once, on a slip to print."""
        user = signed_in(request, "users")
        form = await posted(request, user)
        name, role_name = str(form.get("name", "")).strip()[:100], str(form.get("role", ""))
        villages = [v.strip() for v in str(form.get("villages", "")).replace("，", ",").split(",") if v.strip()]
        try:
            if form.get("action") == "token":
                token = await run_in_threadpool(service.new_token, name)
            else:
                if not name:
                    raise CunFangError(ErrorCode.SYNC_BAD_REQUEST, reason="请填写姓名")
                token = await run_in_threadpool(service.add_user, name, role_name, villages)
        except CunFangError as exc:
            return users_page(request, user, 422, message=exc.message)
        audit.note(service.db, action="console_token", caller=user.caller, subject=name, outcome="ok")
        server_url = str(request.base_url).rstrip("/")
        qr = segno.make(token, error="m").svg_inline(scale=5, dark="#000", light="#fff")
        return render(request, "slip.html", user, name=name, token=token, server_url=server_url, qr=Markup(qr),
                      days=TOKEN_DAYS)

    @router.post("/devices/{device_id}/revoke")
    async def revoke(request: Request, device_id: str) -> Response:
        user = signed_in(request, "users")
        await posted(request, user)
        service.accounts.revoke_device(device_id)
        audit.note(service.db, action="console_revoke", caller=user.caller, subject=device_id, outcome="ok")
        return RedirectResponse("/console/users", 303)

    def forms_page(request: Request, user: ConsoleUser, status: int = 200, **context) -> HTMLResponse:
        with service.db.read() as conn:
            published = [dict(row._mapping) for row in conn.execute(
                sa.select(t.forms.c.form_id, t.forms.c.version, t.forms.c.title, t.forms.c.created_at)
                .order_by(t.forms.c.form_id, t.forms.c.created_at.desc()))]
        return render(request, "forms.html", user, status, published=published, **context)

    @router.get("/forms", response_class=HTMLResponse)
    def forms(request: Request) -> Response:
        return forms_page(request, signed_in(request, "forms"))

    @router.post("/forms", response_class=HTMLResponse)
    async def forms_upload(request: Request) -> Response:
        """Check an uploaded XLSForm with the laptops' engine (``forms check``) and, when asked, publish it."""
        from app.errors import FormCheckFailed
        from app.forms.xlsform import load_form

        user = signed_in(request, "forms")
        form = await posted(request, user)
        upload = form.get("file")
        content = await upload.read(8 * 2**20 + 1) if hasattr(upload, "read") else b""
        if not content or len(content) > 8 * 2**20:
            return forms_page(request, user, 422, problems=["请选择一个不超过 8 MB 的 XLSForm 文件（.xlsx）。"])
        try:
            checked = await run_in_threadpool(load_form, content)
        except FormCheckFailed as exc:
            return forms_page(request, user, 422, problems=[str(e) for e in exc.errors],
                              file_name=getattr(upload, "filename", ""))
        except CunFangError as exc:
            return forms_page(request, user, 422, problems=[exc.message], file_name=getattr(upload, "filename", ""))
        except Exception:  # noqa: BLE001 - a file that is not a workbook at all
            return forms_page(request, user, 422, problems=["无法读取这个文件：它不是 XLSForm 表格（.xlsx）。"],
                              file_name=getattr(upload, "filename", ""))
        result = {"title": checked.title, "form_id": checked.form_id, "version": checked.version or "未设置",
                  "notices": list(checked.notices)}
        if form.get("action") == "publish":
            await run_in_threadpool(service.add_form, content)
            audit.note(service.db, action="console_form_publish", caller=user.caller, subject=checked.form_id,
                       outcome="ok", message=f"版本 {checked.version}")
            result["published"] = True
        return forms_page(request, user, checked=result, file_name=getattr(upload, "filename", ""))

    @router.get("/conflicts", response_class=HTMLResponse)
    def conflicts(request: Request, message: str = "") -> Response:
        user = signed_in(request, "conflicts")
        rows = service.records.list_conflicts(user.caller)
        for row in rows:
            record = views.record(user.caller, row["uuid"])
            ours = json.loads(record["data"]) if record else {}
            theirs = json.loads(row["envelope"]).get("data", {})
            row["diff"] = [(key, _shown(ours.get(key)), _shown(theirs.get(key)), ours.get(key) != theirs.get(key))
                           for key in dict.fromkeys([*ours, *theirs])]
            row["laptop_updated"] = json.loads(row["envelope"]).get("updated_at", "")
        return render(request, "conflicts.html", user, rows=rows, message=message[:200])

    @router.post("/conflicts/{conflict_id}/resolve")
    async def resolve(request: Request, conflict_id: int) -> Response:
        user = signed_in(request, "resolve")
        form = await posted(request, user)
        keep, reason = str(form.get("keep", "")), str(form.get("reason", "")).strip()[:500]
        if keep not in ("server", "laptop") or not reason:
            return RedirectResponse("/console/conflicts?message=" + quote("请选择保留哪一份，并写明理由。"), 303)
        if not any(row["id"] == conflict_id for row in service.records.list_conflicts(user.caller)):
            raise Refused(404, "没有这个待处理的冲突，或不在您的查看范围内。")
        service.records.resolve_conflict(user.caller, conflict_id, keep)
        audit.note(service.db, action="console_resolve", caller=user.caller, subject=str(conflict_id), outcome=keep,
                   message=reason)
        return RedirectResponse("/console/conflicts?message=" + quote(f"冲突 {conflict_id} 已处理。"), 303)

    def export_choices() -> list[tuple[str, str, str]]:
        """The laptop's 台账 layouts (``resources/ledgers``), then every record one sheet a form."""
        out = []
        for name, path in ledgers().items():
            try:
                ledger = load_ledger(path)
            except CunFangError:
                continue
            out.append((f"ledger:{name}", f"台账：{ledger.title}", ledger.description))
        out.append(("records", "全部记录（每个表单一张工作表）",
                    "每条记录一行，用最新的版本；含完整的身份证号和手机号。"))
        return out

    def export_form(request: Request, user: ConsoleUser, status: int = 200, message: str = "",
                    chosen: dict | None = None) -> HTMLResponse:
        names = visible_villages(service, user.caller)
        villages = [(code, name) for code, (name, _town) in sorted(names.items())]
        townships = sorted({code[:9]: town or code[:9] for code, (_name, town) in names.items()}.items())
        return render(request, "export.html", user, status, choices=export_choices(), villages=villages,
                      townships=townships, may_full_ids=user.role.scope_role.sees_full_ids, message=message,
                      chosen=chosen or {"what": "", "township": "", "village": "", "since": "", "until": ""})

    @router.get("/export", response_class=HTMLResponse)
    def export_page(request: Request) -> Response:
        return export_form(request, signed_in(request, "export"))

    @router.post("/export")
    async def export(request: Request) -> Response:
        """A 台账 of the laptop's layouts (``sync/server/ledgers.py``) or every record (``sync/server/export.py``)
        of this account's scope, filtered, as .xlsx; audited (who, what, which filters, how many rows)."""
        import tempfile

        from app.spreadsheets.ledgers import find_ledger
        from sync.server.export import export_server_records
        from sync.server.ledgers import Choice, export_ledger

        user = signed_in(request, "export")
        form = await posted(request, user)
        chosen = {key: str(form.get(key, "")).strip()[:40] for key in ("what", "township", "village", "since",
                                                                        "until")}
        names = visible_villages(service, user.caller)
        try:
            what = chosen["what"]
            if what != "records" and what not in {key for key, _, _ in export_choices()}:
                raise CunFangError(ErrorCode.CONSOLE_EXPORT_CHOICE)
            if chosen["village"] and chosen["village"] not in names:
                raise CunFangError(ErrorCode.CONSOLE_EXPORT_PLACE, place=chosen["village"])
            if chosen["township"] and not any(code.startswith(chosen["township"]) for code in names):
                raise CunFangError(ErrorCode.CONSOLE_EXPORT_PLACE, place=chosen["township"])
            since, until = _export_day(chosen["since"]), _export_day(chosen["until"])
            if since and until and since > until:
                raise CunFangError(ErrorCode.EXPORT_DATES_REVERSED, since=since, until=until)
        except CunFangError as exc:
            return export_form(request, user, 422, exc.message, chosen)
        full_ids = form.get("full_ids") == "1"
        if full_ids and not user.role.scope_role.sees_full_ids:
            raise Refused(403, CunFangError(ErrorCode.CONSOLE_FORBIDDEN).message)
        choice = Choice(chosen["township"], chosen["village"], since, until)
        with tempfile.TemporaryDirectory() as directory:
            out = Path(directory) / "export.xlsx"
            try:
                if what == "records":
                    count = await run_in_threadpool(export_server_records, service, out, user.caller, choice)
                    title, unit, full_ids = "全部记录", "条记录", True
                else:
                    ledger = find_ledger(what.removeprefix("ledger:"))
                    count = await run_in_threadpool(export_ledger, service, user.caller, ledger, out, choice,
                                                    full_ids=full_ids, today=today())
                    title, unit = ledger.title, "行"
            except CunFangError as exc:  # e.g. a layout naming a form the server has not published
                return export_form(request, user, 422, exc.message, chosen)
            content = out.read_bytes()
        where = choice.describe({**{code: name for code, (name, _) in names.items()},
                                 **{code[:9]: town for code, (_, town) in names.items() if town}})
        audit.note(service.db, action="console_export", caller=user.caller, subject=what, outcome="ok",
                   message=f"{title}：{count} {unit}；{where}；身份证号{'完整' if full_ids else '已遮蔽'}")
        name = quote(f"{title}-{today().isoformat()}.xlsx")
        return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}", **HEADERS})

    @router.get("/audit", response_class=HTMLResponse)
    def audit_page(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> Response:
        user = signed_in(request, "audit")
        return render(request, "audit.html", user, rows=audit.search(service.db, q), q=q)

    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/console/", 303)


def _shown(value) -> str:
    if value is None:
        return "（无）"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _local(target: str) -> str:
    """Only a path inside the console may follow sign-in (never another site)."""
    return target if target.startswith("/console/") and not target.startswith("//") else "/console/"


def _export_day(text: str) -> date | None:
    """A date from the export form's date box (empty: open); a wrong one is one plain sentence."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CunFangError(ErrorCode.EXPORT_BAD_DATE, value=text) from None


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat() if text else ""
    except ValueError:
        return ""


def _paper(service, row: dict) -> str:
    """The record laid out as its paper form (``app.forms.printout``), ID numbers masked."""
    from html import escape

    from app.china import id_valid, mask_id
    from app.forms.printout import html_blocks, record_printout

    form = service.form_def(row["form_id"], row["form_version"])
    data = json.loads(row["data"])
    if form is None:
        return "<p>找不到这个表单版本，按原始数据显示：</p><pre>" + escape(json.dumps(data, ensure_ascii=False,
                                                                                 indent=2)) + "</pre>"
    printout = record_printout(form, data, record_id=row["uuid"][:8], filled_on=row["updated_at"][:10])
    for item in printout.fields():
        if getattr(item, "answer", "") and id_valid(str(item.answer)):
            item.answer = mask_id(str(item.answer))
    return "".join(block.html for block in html_blocks(printout))


def _bar_chart(months: list[tuple[str, int]]) -> str:
    """The 12-month trend as an inline SVG (no script): one bar a month, each a link to its records."""
    top = max([n for _, n in months] + [1])
    bars = []
    for i, (month, n) in enumerate(months):
        h = round(150 * n / top)
        x = 10 + i * 52
        start, end = f"{month}-01", _next_month(month)
        bars.append(f"<a href='/console/records?form=visits&amp;start={start}&amp;end={end}'>"
                    f"<rect x='{x}' y='{170 - h}' width='36' height='{h}' fill='#3b7dd8'><title>{month}：{n} 次走访"
                    f"</title></rect><text x='{x + 18}' y='{165 - h}' font-size='11' text-anchor='middle'>{n}</text>"
                    f"</a><text x='{x + 18}' y='188' font-size='11' text-anchor='middle'>{month[2:]}</text>")
    return (f"<svg class='chart' viewBox='0 0 640 195' width='640' height='195' role='img' "
            f"aria-label='近12个月走访次数'>{''.join(bars)}</svg>")


def _next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12):04d}-{(m % 12) + 1:02d}-01"


__all__ = ["IDLE_SECONDS", "mount_console"]
