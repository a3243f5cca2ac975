"""The app's pages after sign-in: projects, project settings, data manager, import and export dialogs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates


def mount(app: FastAPI, templates: Jinja2Templates) -> None:
    """Add the app pages' routes; `templates` renders `web/templates`."""
