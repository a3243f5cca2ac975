"""The labeling page: the editor beside the task queue. The page is a shell; the script fetches the project,
the tasks and the annotations through the JSON API, which enforces who may see what (another project's page
shows the API's 404)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from tessera.services import auth
from tessera.web.app_pages import may

SESSION_COOKIE = "tessera_session"


def mount(app: FastAPI, templates: Jinja2Templates) -> None:
    """Add the labeling page's routes; `templates` renders `web/templates`."""

    @app.get("/projects/{project_id}/label", response_class=HTMLResponse, include_in_schema=False)
    def label_page(request: Request, project_id: int, task: int | None = None) -> Response:
        cookie = request.cookies.get(SESSION_COOKIE)
        with request.app.state.db.reader() as session:
            found = auth.resolve_session(session, cookie) if cookie else None
            if found is None:
                return RedirectResponse(f"/user/login?next=/projects/{project_id}/label", status_code=303)
            return templates.TemplateResponse(
                request,
                "label.html",
                {
                    "user": found[0],
                    "project_id": project_id,
                    "task_id": task,
                    "staff": bool(may(session, found[0], project_id, "reviews.create")),
                },
            )
