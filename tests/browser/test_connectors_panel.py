"""The settings page's model connectors: a connector added with its key (never shown again), a generation job
run from the page with its progress followed to the end (replies land in task data), and a judge job whose
picks become predictions; against a real OpenAI-compatible server in its own process."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.api.fake_openai_process import FakeOpenAI
from tests.browser.conftest import sign_in
from tests.browser.labeling_support import make_project
from tests.browser.model_support import MODEL_KEY, live_server_env, model  # noqa: F401
from tests.sdk.conftest import LiveServer

KEY = MODEL_KEY
CONFIG = """<View><Text name="prompt" value="$prompt"/>
  <Choices name="verdict" toName="prompt"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>"""


def test_add_a_connector_and_run_generation_and_judge_jobs(
    page: Page,
    live_server: LiveServer,
    model: FakeOpenAI,  # noqa: F811 - the fixture imported above
) -> None:
    tasks = [{"prompt": "a good day"}, {"prompt": "a bad day"}, {"prompt": "a good film"}]
    pid, ids = make_project(live_server, CONFIG, tasks)
    sign_in(page)
    page.goto(f"/projects/{pid}/settings")
    models = page.locator("#models")
    models.get_by_label("Name").fill("local")
    models.get_by_label("Base URL").fill(model.base_url)
    models.get_by_label("Model").fill("echo")
    models.get_by_label("API key").fill(KEY)
    models.get_by_role("button", name="Add connector").click()
    row = page.locator("#connectors tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).to_have_text("stored")
    assert KEY not in page.content()

    models.get_by_label("Prompt field").fill("prompt")
    models.get_by_label("Output field").fill("replies")
    models.get_by_label("Replies per task").fill("2")
    models.get_by_role("button", name="Start").click()
    expect(page.locator("#run-status")).to_have_text("Done: tasks 3, written 3, failed 0", timeout=30_000)
    with live_server.http() as http:
        data = [http.get(f"/api/tasks/{i}").json()["data"] for i in ids]
    assert [[r["body"] for r in d["replies"]] for d in data] == [
        [f"{t['prompt']} #1", f"{t['prompt']} #2"] for t in tasks
    ]

    with live_server.http() as http:
        cid = http.get(f"/api/projects/{pid}/connectors").json()[0]["id"]
        r = http.patch(f"/api/connectors/{cid}", json={"model": "judge"})
        assert r.status_code == 200, r.text
    page.reload()
    page.locator("#run-kind").select_option("judge")
    expect(page.locator("#run-control")).to_have_value("verdict")
    models.get_by_role("button", name="Start").click()
    expect(page.locator("#run-status")).to_contain_text("Done:", timeout=30_000)
    with live_server.http() as http:
        picks = [
            [p["result"][0]["value"]["choices"] for p in http.get(f"/api/tasks/{i}").json()["predictions"]] for i in ids
        ]
    assert picks == [[["Positive"]], [["Negative"]], [["Positive"]]]
    models.get_by_role("button", name="Remove connector local").click()
    expect(page.locator("#connectors tr")).to_have_count(0)
