"""The projects page: the list with progress and search, and creating a project from the template gallery."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.sdk.conftest import LiveServer

FAMILY_TEMPLATES = {
    "Text": "Named entity recognition",
    "Vision": "Object detection with boxes",
    "Dialogue and LLM": "Pairwise preference",
    "Audio": "Audio transcription",
}


def test_home_leads_to_the_projects_list(page: Page, live_server: LiveServer) -> None:
    with live_server.http() as http:
        http.post("/api/projects", json={"title": "Home listed", "label_config": "<View/>"}).raise_for_status()
    sign_in(page)
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    expect(page.get_by_role("link", name="Home listed")).to_be_visible()


def test_create_a_project_from_a_template_of_each_family(page: Page, live_server: LiveServer) -> None:
    sign_in(page)
    for family, template in FAMILY_TEMPLATES.items():
        page.goto("/projects")
        page.get_by_role("button", name="Create project").click()
        group = page.get_by_role("group", name=family)
        group.get_by_role("button", name=template).click()
        expect(group.get_by_role("button", name=template)).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#template-preview")).not_to_be_empty()
        page.get_by_label("Project name").fill(f"{family} project")
        page.get_by_role("button", name="Create", exact=True).click()
        page.wait_for_url(re.compile(r"/projects/\d+$"))
        expect(page.get_by_role("heading", name=f"{family} project")).to_be_visible()
        project_id = int(page.url.rsplit("/", 1)[1])
        with live_server.http() as http:
            stored = http.get(f"/api/projects/{project_id}").json()
            gallery = http.get("/app/gallery.json").json()
        expected = next(t["config"] for t in gallery if t["title"] == template)
        assert stored["label_config"].strip() == expected.strip()


def test_search_and_progress(page: Page, live_server: LiveServer) -> None:
    with live_server.http() as http:
        made = http.post("/api/projects", json={"title": "Zebra counting", "label_config": CONFIG}).json()
        http.post(f"/api/projects/{made['id']}/import", json=[{"text": "a"}, {"text": "b"}]).raise_for_status()
        http.post("/api/projects", json={"title": "Apple sorting", "label_config": CONFIG}).raise_for_status()
    sign_in(page)
    page.goto("/projects")
    card = page.locator(".project-card", has_text="Zebra counting")
    expect(card.locator("[data-stat=tasks] dd")).to_have_text("2")
    expect(card.locator("[data-stat=annotated] dd")).to_have_text("0")
    page.keyboard.press("/")
    page.keyboard.type("zebra")
    expect(page.locator(".project-card")).to_have_count(1)
    expect(page.locator(".project-card")).to_have_text(re.compile("Zebra counting"))


def test_template_filter_and_refused_project(page: Page) -> None:
    sign_in(page)
    page.goto("/projects")
    page.get_by_role("button", name="Create project").click()
    page.get_by_label("Filter templates").fill("red team")
    expect(page.locator(".template")).to_have_count(1)
    page.locator(".template").click()
    page.get_by_label("Project name").fill("x" * 300)  # maxlength cuts it; an empty name is refused instead
    page.get_by_label("Project name").fill("")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page).to_have_url(re.compile(r"/projects$"))  # the browser's own check keeps the form from sending


CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>'


def test_every_template_previews_without_errors(page: Page, live_server: LiveServer) -> None:
    """With the labeling editor the preview is drawn by it; without it, the config is shown. Either way no
    template breaks the page (the console check of the `page` fixture)."""
    with live_server.http() as http:
        gallery = http.get("/app/gallery.json").json()
    sign_in(page)
    page.goto("/projects")
    editor = page.locator("main").get_attribute("data-editor") == "1"
    page.get_by_role("button", name="Create project").click()
    preview = page.locator("#template-preview")
    for template in gallery:
        page.locator(f".template[data-id='{template['id']}']").click()
        expect(page.locator("#template-xml")).to_have_text(template["config"])
        if editor:
            expect(preview.locator(".preview-editor")).to_have_count(1)
            expect(preview.locator(".error")).to_have_count(0)
        else:
            expect(preview.locator("pre")).to_have_text(template["config"])


def test_whole_journey_template_import_search_export(page: Page, tmp_path) -> None:
    """Sign in → create from a template → import a file through the dialog → see the rows → search → export."""
    data = tmp_path / "reviews.jsonl"
    data.write_text('{"review": "lovely soup"}\n{"review": "cold soup"}\n{"review": "great bread"}\n')
    sign_in(page)
    page.get_by_role("button", name="Create project").click()
    page.get_by_role("group", name="Text").get_by_role("button", name="Sentiment with rating").click()
    page.get_by_label("Project name").fill("Journey")
    page.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    page.get_by_role("button", name="Import").click()
    page.locator("#import-files").set_input_files(str(data))
    page.locator("#import-submit").click()
    expect(page.locator("#import-report")).to_contain_text("Imported 3 tasks")
    page.keyboard.press("Escape")
    rows = page.locator("#task-rows tr[data-id]")
    expect(rows).to_have_count(3)
    page.get_by_label("Search tasks").fill("soup")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Export these").click()
    page.get_by_role("dialog", name="Export").locator("input[value='CSV']").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    exported = open(info.value.path(), encoding="utf-8").read()  # noqa: PTH123, SIM115
    assert "lovely soup" in exported and "cold soup" not in exported
