"""Script payloads in project names, descriptions, instructions, labels, task data (values and keys) and token
names render as inert text on every app page: no payload element is ever created and no flag is ever set.

The CSP would block an inline handler anyway; the test checks the DOM as well, so that it fails on markup built
from data even where the CSP saves the day."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, sign_in
from tests.sdk.conftest import LiveServer

IMG = '<img src="x-xss" onerror="window.__xss = 1">'
SCRIPT = "<script>window.__xss = 2</script>"
SVG = '<svg onload="window.__xss = 3"></svg>'
PAYLOAD = f"{IMG}{SCRIPT}{SVG}"
CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="c" toName="text">'
    '<Choice value="&lt;img src=&quot;x-xss&quot; onerror=&quot;window.__xss = 4&quot;&gt;"/></Choices></View>'
)
INJECTED = 'img[src="x-xss"], script:not([src]):not([type="importmap"]), svg[onload], [onerror], [onload]'


@pytest.fixture(scope="module")
def project(live_server: LiveServer) -> int:
    with live_server.http() as http:
        body = {"title": f"T {PAYLOAD}", "description": f"D {PAYLOAD}", "label_config": CONFIG}
        made = http.post("/api/projects", json=body).json()
        instructions = f"# I {PAYLOAD}\n[x](javascript:alert(1))"
        http.patch(f"/api/projects/{made['id']}", json={"expert_instruction": instructions}).raise_for_status()
        tasks = [{"text": f"task {PAYLOAD}", "extra": PAYLOAD}, {"text": "plain", IMG: "key holds markup"}]
        http.post(f"/api/projects/{made['id']}/import", json=tasks).raise_for_status()
        http.post("/api/current-user/tokens", json={"name": f"tok {PAYLOAD}"}).raise_for_status()
        return made["id"]


def assert_inert(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__xss") is None
    assert page.locator(INJECTED).count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0


@pytest.mark.parametrize("path", ["/projects", "/projects/{id}", "/projects/{id}/settings", "/user/account"])
def test_payloads_render_as_text(page: Page, project: int, path: str, console: Console) -> None:
    sign_in(page)
    page.goto(path.format(id=project))
    if path == "/projects":
        expect(page.get_by_text(f"T {PAYLOAD}")).to_be_visible()
        expect(page.get_by_text(f"D {PAYLOAD}")).to_be_visible()
    elif path == "/projects/{id}":
        expect(page.get_by_role("heading", name=f"T {PAYLOAD}")).to_be_visible()
        expect(page.locator("#task-rows").get_by_text(f"task {PAYLOAD}")).to_be_visible()
        expect(page.locator("#task-head").get_by_text(IMG)).to_be_visible()
    elif path == "/projects/{id}/settings":
        expect(page.get_by_label("Title", exact=True)).to_have_value(f"T {PAYLOAD}")
        expect(page.locator("#instructions-preview")).to_contain_text(f"I {PAYLOAD}")
        expect(page.locator("#config-status")).to_contain_text("Valid")
    else:
        expect(page.locator("#tokens")).to_contain_text(f"tok {PAYLOAD}")
    assert_inert(page)
    assert not [e for e in console.errors if "x-xss" in e or "Content Security Policy" in e]


def test_review_comments_render_as_text(page: Page, project: int, live_server: LiveServer, console: Console) -> None:
    """A rejection's comment on the review page's history and on the annotator's labeling page."""
    email, password = "xss-annotator@example.com", "xss-annotator-password-1"
    token = live_server.create_user_with_token(email, password=password)
    with live_server.http() as http:
        http.post(f"/api/projects/{project}/members", json={"user": email, "role": "annotator"}).raise_for_status()
        task = http.get("/api/tasks", params={"project": project}).json()["tasks"][0]["id"]
    with live_server.http(token) as http:
        made = http.post(f"/api/tasks/{task}/annotations", json={"result": []})
        made.raise_for_status()
    with live_server.http() as http:
        verdict = {"accepted": False, "comment": f"C {PAYLOAD}"}
        http.post(f"/api/annotations/{made.json()['id']}/reviews", json=verdict).raise_for_status()

    sign_in(page)
    page.goto(f"/projects/{project}/review")
    page.wait_for_selector("#review[data-ready='1']")
    page.locator("#rev-status").select_option("rejected")
    expect(page.locator("#rev-history")).to_contain_text(f"C {PAYLOAD}")
    expect(page.get_by_text(f"task {PAYLOAD}")).to_be_visible()
    assert_inert(page)

    page.context.clear_cookies()
    sign_in(page, email, password)
    page.goto(f"/projects/{project}/label?task={task}")
    expect(page.locator("#lab-review")).to_contain_text(f"C {PAYLOAD}")
    assert_inert(page)
    assert not [e for e in console.errors if "x-xss" in e or "Content Security Policy" in e]
