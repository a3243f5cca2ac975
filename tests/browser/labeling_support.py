"""Helpers for the editor and labeling journeys: a project with tasks made through the API, the page opened
on a task, the annotations the server stored, and small generated images (no files from outside the repo)."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import sign_in
from tests.sdk.conftest import LiveServer


def make_project(server: LiveServer, config: str, tasks: list[dict[str, Any]], **extra: Any) -> tuple[int, list[int]]:
    with server.http() as c:
        r = c.post("/api/projects", json={"title": "Editor test", "label_config": config, **extra})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        r = c.post(f"/api/projects/{pid}/import?return_task_ids=true", json=tasks)
        assert r.status_code == 201, r.text
        return pid, r.json()["task_ids"]


def annotations_of(server: LiveServer, task_id: int) -> list[dict[str, Any]]:
    with server.http() as c:
        r = c.get(f"/api/tasks/{task_id}/annotations")
        assert r.status_code == 200, r.text
        return r.json()


def open_task(page: Page, project_id: int, task_id: int | None = None) -> None:
    if "/user/login" in page.url or page.url in ("about:blank", ""):
        sign_in(page)
    page.goto(f"/projects/{project_id}/label" + (f"?task={task_id}" if task_id else ""))
    page.wait_for_selector("#labeling[data-ready='1']")


def png_data_url(width: int, height: int, rgb: tuple[int, int, int] = (90, 140, 200)) -> str:
    """A solid PNG of the given size, written by hand (zlib + struct); rows compress to almost nothing."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()
