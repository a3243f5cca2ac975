"""Project settings: fields saved through the API, Markdown instructions previewed as inert DOM, the labeling
config validated as it is typed, members and roles, and deleting the project after typing its title."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, sign_in
from tests.sdk.conftest import LiveServer

CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>'


def new_project(live_server: LiveServer, title: str) -> int:
    with live_server.http() as http:
        return http.post("/api/projects", json={"title": title, "label_config": CONFIG}).json()["id"]


def test_edit_and_save_settings(page: Page, live_server: LiveServer, console: Console) -> None:
    project = new_project(live_server, "Settings one")
    sign_in(page)
    page.goto(f"/projects/{project}/settings")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Settings one")
    expect(page.locator("#config-status")).to_have_text("Valid; data fields: text")

    page.get_by_label("Title", exact=True).fill("Renamed")
    page.get_by_label("Description").fill("About fruit")
    page.get_by_label("Instructions for annotators (Markdown)").fill(
        "# Rules\nPick **one** label, see [the guide](https://example.com/guide).\n\n- be quick\n- be right"
    )
    preview = page.locator("#instructions-preview")
    expect(preview.locator("strong")).to_have_text("one")
    expect(preview.locator("a")).to_have_attribute("href", "https://example.com/guide")
    expect(preview.locator("li")).to_have_count(2)

    config = page.get_by_label("Labeling config")
    config.fill('<View><Text name="text" value="$text"/><Choices name="c" toName="nowhere"><Choice value="A"/>')
    expect(page.locator("#config-status")).to_have_class(re.compile("error"))
    new_config = CONFIG.replace('<Choice value="A"/>', '<Choice value="A"/><Choice value="B"/>')
    config.fill(new_config)
    expect(page.locator("#config-status")).to_have_text("Valid; data fields: text")

    page.get_by_label("Annotations per task (overlap)").fill("3")
    page.get_by_label("Share of tasks that get that overlap").fill("25")
    expect(page.get_by_label("Most annotations one annotator may make")).to_have_value("")
    page.get_by_label("Most annotations one annotator may make").fill("40")
    page.get_by_label("Annotators may skip tasks").uncheck()
    page.get_by_label("Shuffle compared replies").uncheck()
    page.get_by_label("Priority field").fill("urgency")
    page.get_by_label("Ask one more annotator when agreement is below").fill("0.75")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved.")
    with live_server.http() as http:
        stored = http.get(f"/api/projects/{project}").json()
    assert stored["title"] == "Renamed" and stored["description"] == "About fruit"
    assert stored["expert_instruction"].startswith("# Rules")
    assert stored["label_config"] == new_config
    assert stored["maximum_annotations"] == 3 and stored["show_skip_button"] is False
    assert stored["overlap_cohort_percentage"] == 25 and stored["annotation_limit_count"] == 40
    assert stored["shuffle_comparisons"] is False and stored["ground_truth_rate"] == 0
    assert stored["priority_field"] == "urgency" and stored["sampling_seed"] is None
    assert stored["agreement_threshold"] == 0.75 and stored["max_additional_annotators_assignable"] == 1
    assert all("/validate" in e and "400" in e for e in console.expect_errors())  # the broken config's answers


def test_a_refused_save_shows_the_reason(page: Page, live_server: LiveServer, console: Console) -> None:
    project = new_project(live_server, "Settings refused")
    sign_in(page)
    page.goto(f"/projects/{project}/settings")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Settings refused")
    broken = '<View><Choices name="c" toName="missing"><Choice value="A"/></Choices></View>'
    page.get_by_label("Labeling config").fill(broken)
    expect(page.locator("#config-status")).to_contain_text("missing")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#settings-error")).to_contain_text("missing")
    expect(page.locator("#save-status")).to_have_text("Not saved.")
    with live_server.http() as http:
        assert http.get(f"/api/projects/{project}").json()["label_config"] == CONFIG
    console.expect_errors()  # the browser logs the 400


def test_members_and_roles(page: Page, live_server: LiveServer) -> None:
    project = new_project(live_server, "Settings members")
    live_server.create_user_with_token("helper@example.com")
    sign_in(page)
    page.goto(f"/projects/{project}/settings")
    page.get_by_label("Member e-mail").fill("helper@example.com")
    page.get_by_label("Member role").select_option("reviewer")
    page.get_by_role("button", name="Add member").click()
    role = page.get_by_label("Role of helper@example.com")
    expect(role).to_have_value("reviewer")
    role.select_option("manager")
    expect(page.locator("#toast")).to_contain_text("now manager")
    with live_server.http() as http:
        members = http.get(f"/api/projects/{project}/members").json()
    assert {m["user"]["email"]: m["role"] for m in members}["helper@example.com"] == "manager"
    page.get_by_role("button", name="Remove helper@example.com").click()
    expect(page.get_by_label("Role of helper@example.com")).to_have_count(0)


def test_delete_the_project(page: Page, live_server: LiveServer) -> None:
    project = new_project(live_server, "Doomed")
    sign_in(page)
    page.goto(f"/projects/{project}/settings")
    page.get_by_role("button", name="Delete project").click()
    yes = page.get_by_role("button", name="Delete for good")
    expect(yes).to_be_disabled()
    page.get_by_label("Project title to confirm").fill("Doome")
    expect(yes).to_be_disabled()
    page.get_by_label("Project title to confirm").fill("Doomed")
    yes.click()
    page.wait_for_url("**/projects")
    with live_server.http() as http:
        assert http.get(f"/api/projects/{project}").status_code == 404
