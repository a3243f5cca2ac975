"""Time the data manager in a real browser: a live `tessera start` with many tasks, headless Chromium (the
system's, on PATH), and the figures a person feels: the page showing its first 100 rows, a sort, a search (its
rows, then its total, which the page asks apart) and the next page (by cursor, as the page asks it).

    python bench/web_bench.py [--tasks 100000] [--database-url postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics

from api_bench import CONFIG, WORDS
from live import ADMIN_EMAIL, ADMIN_PASSWORD, live_tessera
from playwright.sync_api import Page, sync_playwright

# The page marks every page of rows it has drawn with its load time (#dm's data-load-ms, set once drawn).
DRAWN = "document.querySelector('#dm').dataset.loadMs !== undefined"
COUNTED = "!document.querySelector('#page-info').textContent.includes('…')"  # "1–100 of …" until the total comes


def timed(page: Page, action, done: str = DRAWN) -> float:
    """Milliseconds from `action` until the JS condition `done` holds, measured inside the page."""
    page.evaluate("window.__t0 = performance.now(); delete document.querySelector('#dm').dataset.loadMs")
    action()
    page.wait_for_function(done, timeout=60_000)  # a string predicate: the context bypasses the CSP for it
    return page.evaluate("performance.now() - window.__t0")


def since(page: Page, done: str) -> float:
    """Milliseconds from the last `timed` action until `done` holds."""
    page.wait_for_function(done, timeout=60_000)
    return page.evaluate("performance.now() - window.__t0")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    rows: list[tuple[str, str]] = []
    with live_tessera(args.database_url) as live:
        base = live.base
        with live.client() as c:
            pid = c.post("/api/projects", json={"title": "bench", "label_config": CONFIG}).json()["id"]
            rng = random.Random(7)
            tasks = [{"text": " ".join(rng.choices(WORDS, k=12)) + f" #{i}"} for i in range(args.tasks)]
            r = c.post(
                f"/api/projects/{pid}/import?return_task_ids=false",
                content=json.dumps(tasks).encode(),
                headers={"Content-Type": "application/json"},
            )
            r.raise_for_status()
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
            viewport = {"width": 1400, "height": 900}
            page = browser.new_context(base_url=base, viewport=viewport, bypass_csp=True).new_page()
            page.goto("/user/login")
            page.get_by_label("E-mail").fill(ADMIN_EMAIL)
            page.get_by_label("Password").fill(ADMIN_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/user/login" not in url)
            rendered = "document.querySelectorAll('#task-rows tr[data-id]').length === 100"
            figures: dict[str, list[float]] = {"page load to 100 rows shown": [], "fetch + draw 100 rows": []}
            searched = "search (type, debounce 250 ms included)"
            for name in ["sort by text (click header)", searched, f"{searched}, total shown", "next page"]:
                figures[name] = []
            for _ in range(args.runs):
                page.goto(f"/projects/{pid}")
                page.wait_for_function(rendered, timeout=60_000)
                figures["page load to 100 rows shown"].append(page.evaluate("performance.now()"))
                page.wait_for_function(DRAWN, timeout=60_000)  # its load time is set once the rows are drawn
                figures["fetch + draw 100 rows"].append(float(page.locator("#dm").get_attribute("data-load-ms")))
                page.wait_for_function(COUNTED, timeout=60_000)
                figures["sort by text (click header)"].append(
                    timed(page, lambda: page.locator("#task-head").get_by_role("button", name="text").click())
                )
                figures[searched].append(timed(page, lambda: page.get_by_label("Search tasks").fill("fox")))
                figures[f"{searched}, total shown"].append(since(page, COUNTED))
                figures["next page"].append(timed(page, lambda: page.get_by_role("button", name="Next page").click()))
            browser.close()
        for name, values in figures.items():
            rows.append((name, f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms"))
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"data manager, {args.tasks:,} tasks on {db}, {args.runs} runs")
    for name, value in rows:
        print(f"  {name:<55} {value}")


if __name__ == "__main__":
    main()
