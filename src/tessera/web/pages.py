"""Server-rendered pages for signing in, first-run setup, invites and signing out. The labeling app comes
with its own issue; these pages need no script at all."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from tessera.db.tables import User
from tessera.domain.errors import InvalidInput, NotAuthenticated, NotFound, TooMany
from tessera.services import auth, invites
from tessera.services.secrets import same
from tessera.web import app_pages, labeling_page
from tessera.web.importmap import IMPORT_MAP

HERE = Path(__file__).parent
SESSION_COOKIE = "tessera_session"
CSRF_COOKIE = "tessera_csrf"
FORM_COOKIE = "tessera_form"


def mount(app: FastAPI) -> None:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["import_map"] = IMPORT_MAP
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def render(request: Request, name: str, status: int = 200, **ctx: object) -> HTMLResponse:
        token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
        response = templates.TemplateResponse(request, name, {"form_token": token, **ctx}, status_code=status)
        response.set_cookie(
            FORM_COOKIE, token, httponly=True, samesite="strict", secure=request.app.state.settings.secure_cookies
        )
        return response

    def form_ok(request: Request, sent: str) -> bool:
        expected = request.cookies.get(FORM_COOKIE) or ""
        return bool(expected) and same(expected, sent)

    def signed_in(request: Request, user: User) -> Response:
        db = request.app.state.db
        settings = request.app.state.settings
        with db.writer() as session:
            key, csrf = auth.open_session(session, session.merge(user), days=settings.session_days)
            session.commit()
        response = RedirectResponse("/", status_code=303)
        age = settings.session_days * 86400
        response.set_cookie(
            SESSION_COOKIE, key, max_age=age, httponly=True, samesite="lax", secure=settings.secure_cookies
        )
        response.set_cookie(
            CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="lax", secure=settings.secure_cookies
        )
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        cookie = request.cookies.get(SESSION_COOKIE)
        with request.app.state.db.reader() as session:
            found = auth.resolve_session(session, cookie) if cookie else None
            if found is None:
                return RedirectResponse("/user/login", status_code=303)
            return render(request, "home.html", user=found[0])

    @app.get("/user/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        return render(request, "login.html")

    @app.post("/user/login", include_in_schema=False)
    def login(
        request: Request, email: str = Form(""), password: str = Form(""), form_token: str = Form("")
    ) -> Response:
        if not form_ok(request, form_token):
            return render(request, "login.html", 400, error="The form expired; please try again.")
        client = request.client.host if request.client else "unknown"
        settings = request.app.state.settings
        with request.app.state.db.writer() as session:
            try:
                user = auth.authenticate(
                    session, email, password, client=client, per_minute=settings.login_attempts_per_minute
                )
            except (NotAuthenticated, TooMany) as exc:
                session.commit()  # keep the failed attempt on record for the rate limit
                status = 429 if isinstance(exc, TooMany) else 400
                return render(request, "login.html", status, error=exc.detail, email=email)
            session.commit()
        return signed_in(request, user)

    @app.post("/user/logout", include_in_schema=False)
    def logout(request: Request, form_token: str = Form("")) -> Response:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie and form_ok(request, form_token):
            with request.app.state.db.writer() as session:
                auth.close_session(session, cookie)
                session.commit()
        response = RedirectResponse("/user/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(CSRF_COOKIE)
        return response

    @app.get("/user/setup/{key}", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/user/invite/{key}", response_class=HTMLResponse, include_in_schema=False)
    def invite_page(request: Request, key: str) -> Response:
        with request.app.state.db.reader() as session:
            try:
                invite = invites.find_invite(session, key)
            except NotFound as exc:
                return render(request, "message.html", 404, message=exc.detail)
            return render(request, "signup.html", setup=invite.kind == "setup", email=invite.email or "")

    @app.post("/user/setup/{key}", include_in_schema=False)
    @app.post("/user/invite/{key}", include_in_schema=False)
    def accept(
        request: Request,
        key: str,
        email: str = Form(""),
        password: str = Form(""),
        first_name: str = Form(""),
        last_name: str = Form(""),
        form_token: str = Form(""),
    ) -> Response:
        if not form_ok(request, form_token):
            return render(request, "message.html", 400, message="The form expired; open the link again.")
        with request.app.state.db.writer() as session:
            try:
                user = invites.accept_invite(
                    session, key, email=email, password=password, first_name=first_name, last_name=last_name
                )
            except NotFound as exc:
                return render(request, "message.html", 404, message=exc.detail)
            except InvalidInput as exc:
                setup = request.url.path.startswith("/user/setup/")
                return render(request, "signup.html", 400, error=exc.detail, email=email, setup=setup)
            session.commit()
        return signed_in(request, user)

    app_pages.mount(app, templates)
    labeling_page.mount(app, templates)
