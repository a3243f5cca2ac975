"""The labeling page: the editor beside the task queue."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates


def mount(app: FastAPI, templates: Jinja2Templates) -> None:
    """Add the labeling page's routes; `templates` renders `web/templates`."""
