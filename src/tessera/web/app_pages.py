"""The app's pages after sign-in: projects, project settings, data manager, import and export dialogs, dashboard.

The pages are thin HTML shells: the server checks the session and hands the page its ids in data-* attributes;
the page's module fetches everything else from the JSON API, so the API's access rules are the only ones.
`editor_available()` tells a page whether the labeling editor's module is there to preview with, so that no
page asks for a module that is missing (the 404 would land on the console). Pages that only staff use (the
review page) are also refused by the server to other roles, and links to them are drawn for staff only."""

from __future__ import annotations

import json
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from tessera.db.tables import User
from tessera.domain.policy import POLICY, allows
from tessera.services import auth
from tessera.services.access import project_role

HERE = Path(__file__).parent
GALLERY = HERE / "gallery"
EDITOR = HERE / "static" / "editor" / "editor.js"
SESSION_COOKIE = "tessera_session"
FORM_COOKIE = "tessera_form"


NOT_YOURS = "Your role in this project does not show this page."


def may(session: Session, user: User, project_id: int, action: str) -> bool | None:
    """Whether the user's role in the project allows `action`; None when they are not in the project."""
    role = project_role(session, auth.actor_for(user), project_id)
    return None if role is None else allows(role, action)


@cache
def gallery() -> list[dict[str, Any]]:
    """The template gallery: the index's entries with each one's XML config and sample task read in."""
    entries = json.loads((GALLERY / "index.json").read_text(encoding="utf-8"))
    return [
        {
            **entry,
            "config": (GALLERY / f"{entry['id']}.xml").read_text(encoding="utf-8"),
            "task": json.loads((GALLERY / f"{entry['id']}.json").read_text(encoding="utf-8")),
        }
        for entry in entries
    ]


def mount(app: FastAPI, templates: Jinja2Templates) -> None:
    """Add the app pages' routes; `templates` renders `web/templates`."""
    templates.env.globals["editor_available"] = EDITOR.exists

    def page(
        request: Request, name: str, *, only: str | None = None, refusal: str = NOT_YOURS, **ctx: object
    ) -> Response:
        """Render an app page for the signed-in user, or send them to sign in first. The form token is for the
        top bar's sign-out form, which posts to the server-rendered logout. A project page learns whether the
        user is staff there (`staff`, for links to staff pages) and what their role allows there (`can`, the
        policy's actions, for controls the API would refuse); with `only`, a role without that permission
        gets a refusal instead of the page (403; 404 outside the project, as the API answers)."""
        cookie = request.cookies.get(SESSION_COOKIE)
        with request.app.state.db.reader() as session:
            found = auth.resolve_session(session, cookie) if cookie else None
            if found is None:
                return RedirectResponse("/user/login", status_code=303)
            token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
            values = {"user": found[0], "form_token": token, **ctx}
            project_id = ctx.get("project_id")
            status = 200
            if isinstance(project_id, int):
                role = project_role(session, auth.actor_for(found[0]), project_id)
                values["staff"] = allows(role, "reviews.create")
                values["can"] = {action: allows(role, action) for action in POLICY}
                allowed = may(session, found[0], project_id, only) if only else True
                if not allowed:
                    status = 404 if allowed is None else 403
                    values["refusal"] = "Project not found." if allowed is None else refusal
                    name = "refused.html"
            response = templates.TemplateResponse(request, name, values, status_code=status)
        response.set_cookie(
            FORM_COOKIE, token, httponly=True, samesite="strict", secure=request.app.state.settings.secure_cookies
        )
        return response

    @app.get("/projects", response_class=HTMLResponse, include_in_schema=False)
    def projects_page(request: Request) -> Response:
        return page(request, "projects.html")

    @app.get("/projects/{project_id}", response_class=HTMLResponse, include_in_schema=False)
    def data_manager_page(request: Request, project_id: int) -> Response:
        job_tasks = request.app.state.settings.export_job_tasks  # the export dialog's snapshots run as jobs above it
        return page(request, "data_manager.html", project_id=project_id, export_job_tasks=job_tasks)

    @app.get("/projects/{project_id}/settings", response_class=HTMLResponse, include_in_schema=False)
    def settings_page(request: Request, project_id: int) -> Response:
        return page(request, "project_settings.html", project_id=project_id)

    @app.get("/projects/{project_id}/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_page(request: Request, project_id: int) -> Response:
        return page(request, "dashboard.html", only="dashboard.view", project_id=project_id)

    @app.get("/projects/{project_id}/review", response_class=HTMLResponse, include_in_schema=False)
    def review_page(request: Request, project_id: int) -> Response:
        return page(
            request,
            "review.html",
            only="reviews.create",
            refusal="Only reviewers and managers review.",
            project_id=project_id,
        )

    @app.get("/user/account", response_class=HTMLResponse, include_in_schema=False)
    def account_page(request: Request) -> Response:
        return page(request, "account.html")

    @app.get("/app/gallery.json", include_in_schema=False)
    def gallery_json() -> JSONResponse:
        """Public like the static files: the gallery holds only the templates shipped with Tessera."""
        return JSONResponse(gallery(), headers={"Cache-Control": "max-age=300"})
