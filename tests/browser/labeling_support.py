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


def drag_over_text(page: Page, container: str, start: int, end: int) -> None:
    """Select characters [start, end) (UTF-16 units of the shown text) with the mouse, as a person would:
    press at the left edge of the first character, release at the right edge of the last."""
    box = page.evaluate(
        """([selector, start, end]) => {
          const root = document.querySelector(selector);
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          const at = (offset) => {
            let node, seen = 0;
            while ((node = walker.nextNode())) {
              if (seen + node.data.length >= offset) return [node, offset - seen];
              seen += node.data.length;
            }
          };
          const [n1, o1] = at(start);
          walker.currentNode = root;
          const [n2, o2] = at(end);
          const r1 = document.createRange(); r1.setStart(n1, o1); r1.setEnd(n1, Math.min(o1 + 1, n1.data.length));
          const r2 = document.createRange(); r2.setStart(n2, Math.max(o2 - 1, 0)); r2.setEnd(n2, o2);
          const a = r1.getClientRects()[0], b = r2.getClientRects()[0];
          // right-to-left runs: the first character's leading edge is its right one
          const rtl = a.top === b.top && a.left > b.left;
          return rtl
            ? [a.right - 1, a.top + a.height / 2, b.left + 1, b.top + b.height / 2]
            : [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
        }""",
        [container, start, end],
    )
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move((box[0] + box[2]) / 2, box[1], steps=3)
    page.mouse.move(box[2], box[3], steps=3)
    page.mouse.up()
