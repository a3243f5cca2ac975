"""Labeling journeys: a draft survives a reload; predictions are accepted or edited (origin kept or changed);
an image is captioned; a pairwise choice; a ranker order; script in task data, labels, instructions and the
project title stays inert; the side bar's tasks wait for a submit under way."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, make_project, open_task, png_data_url
from tests.sdk.conftest import LiveServer


def submit_and_wait(page: Page, task_id: int) -> None:
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{task_id}")


def test_reload_mid_task_finds_the_draft(page: Page, live_server: LiveServer) -> None:
    config = """<View><Text name="text" value="$text"/>
      <TextArea name="note" toName="text"/>
      <Choices name="c" toName="text"><Choice value="A"/><Choice value="B"/></Choices></View>"""
    pid, ids = make_project(live_server, config, [{"text": "draft me"}, {"text": "other"}])
    open_task(page, pid, ids[0])
    page.get_by_label("note").fill("half-written thought")
    page.get_by_label("note").press("Enter")
    page.locator(".ed-choice", has_text="B").locator("input").click()
    expect(page.locator("#lab-save")).to_have_text("Draft saved", timeout=8000)
    with live_server.http() as c:
        drafts = c.get(f"/api/tasks/{ids[0]}/drafts").json()
    assert len(drafts) == 1 and {r["from_name"] for r in drafts[0]["result"]} == {"note", "c"}
    page.evaluate("() => localStorage.clear()")  # the server's draft alone must bring it back
    page.reload()
    expect(page.get_by_text("half-written thought")).to_be_visible()
    expect(page.locator(".ed-choice", has_text="B").locator("input")).to_be_checked()
    expect(page.locator("#lab-save")).to_have_text("Draft restored")
    submit_and_wait(page, ids[0])
    with live_server.http() as c:
        assert c.get(f"/api/tasks/{ids[0]}/drafts").json() == []  # submitted: the draft is gone


ONE_CHOICE = (
    '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="Spam"/></Choices></View>'
)
# Calls of fetch for a URL holding `part` come back 800 ms late (the others at once).
SLOW_FETCH = """(part) => {
  const fetch = window.fetch;
  window.fetch = (url, options) =>
    String(url).includes(part)
      ? new Promise((resolve) => setTimeout(resolve, 800)).then(() => fetch(url, options))
      : fetch(url, options);
}"""
# Every task the page shows, in order (the page's own record of the run).
WATCH_TASKS = """() => {
  const root = document.querySelector("#labeling");
  window.seenTasks = [root.dataset.taskId];
  new MutationObserver(() => window.seenTasks.push(root.dataset.taskId)).observe(root, {
    attributes: true, attributeFilter: ["data-task-id"],
  });
}"""


def test_the_side_bar_waits_for_a_submit_under_way(page: Page, live_server: LiveServer) -> None:
    """A task of the side bar pressed while a submit is on its way does nothing, as Next or Back then do: the
    page goes on to the next task, without showing the earlier one in between."""
    pid, ids = make_project(live_server, ONE_CHOICE, [{"text": "one"}, {"text": "two"}, {"text": "three"}])
    open_task(page, pid)
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[0]}")
    page.get_by_label("Spam").check()
    submit_and_wait(page, ids[0])
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[1]}")
    page.evaluate(WATCH_TASKS)
    page.evaluate(SLOW_FETCH, f"/api/tasks/{ids[1]}/annotations")
    page.get_by_label("Spam").check()
    page.locator("#lab-submit").click()
    page.locator("#lab-history").get_by_role("button", name=f"#{ids[0]} submitted").click()
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[2]}")
    page.wait_for_timeout(300)  # a late answer to the press would come now
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[2]}")
    assert page.evaluate("window.seenTasks") == [str(ids[1]), str(ids[2])]
    assert len(annotations_of(live_server, ids[1])) == 1


NER = """<View><Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Text name="text" value="$text"/>
  <Choices name="kind" toName="text"><Choice value="News"/><Choice value="Chat"/></Choices></View>"""


def _predicted(text: str) -> dict:
    return {
        "data": {"text": text},
        "predictions": [
            {
                "model_version": "m1",
                "result": [
                    {"id": "p1", "from_name": "ner", "to_name": "text", "type": "labels",
                     "value": {"start": 0, "end": 5, "text": text[:5], "labels": ["PER"]}},
                    {"id": "p2", "from_name": "kind", "to_name": "text", "type": "choices",
                     "value": {"choices": ["News"]}},
                ],
            }
        ],
    }  # fmt: skip


def test_accept_and_edit_a_prediction(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, NER, [_predicted("Alice met Bob"), _predicted("Carol saw Dan"), {"text": "x"}])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-span")).to_have_text("Alice")
    expect(page.get_by_label("News")).to_be_checked()
    submit_and_wait(page, ids[0])  # accepted as is
    accepted = annotations_of(live_server, ids[0])[0]["result"]
    assert {r["id"]: r["origin"] for r in accepted} == {"p1": "prediction", "p2": "prediction"}

    open_task(page, pid, ids[1])
    page.locator(".ed-region-pick").click()
    page.locator(".ed-label", has_text="ORG").click()  # relabel the predicted span
    submit_and_wait(page, ids[1])
    edited = {r["id"]: r for r in annotations_of(live_server, ids[1])[0]["result"]}
    assert edited["p1"]["origin"] == "prediction-changed" and edited["p1"]["value"]["labels"] == ["ORG"]
    assert edited["p2"]["origin"] == "prediction"


def test_caption_an_image(page: Page, live_server: LiveServer) -> None:
    config = """<View><Image name="image" value="$image"/>
      <TextArea name="caption" toName="image" maxSubmissions="1" required="true"/></View>"""
    pid, ids = make_project(live_server, config, [{"image": png_data_url(80, 60)}, {"image": png_data_url(8, 8)}])
    open_task(page, pid, ids[0])
    page.get_by_label("caption").fill("A blue square")
    page.get_by_label("caption").press("Enter")
    expect(page.get_by_label("caption")).to_be_disabled()  # maxSubmissions reached
    submit_and_wait(page, ids[0])
    item = annotations_of(live_server, ids[0])[0]["result"][0]
    assert (item["type"], item["to_name"], item["value"]) == ("textarea", "image", {"text": ["A blue square"]})


def test_pairwise_choice(page: Page, live_server: LiveServer) -> None:
    config = """<View><Pairwise name="pw" toName="a,b"/><Text name="a" value="$a"/><Text name="b" value="$b"/></View>"""
    tasks = [{"a": "left reply", "b": "right reply"}, {"a": "1", "b": "2"}]
    pid, ids = make_project(live_server, config, tasks, shuffle_comparisons=False)
    open_task(page, pid, ids[0])
    page.get_by_text("right reply").click()
    expect(page.get_by_role("button", name="Right is better")).to_have_attribute("aria-pressed", "true")
    submit_and_wait(page, ids[0])
    item = annotations_of(live_server, ids[0])[0]["result"][0]
    assert item["type"] == "pairwise" and item["value"] == {"selected": "right"}


def test_ranker_order(page: Page, live_server: LiveServer) -> None:
    config = """<View><List name="items" value="$items" title="Replies"/><Ranker name="rank" toName="items"/></View>"""
    items = [{"id": "r1", "title": "First"}, {"id": "r2", "title": "Second"}, {"id": "r3", "title": "Third"}]
    pid, ids = make_project(live_server, config, [{"items": items}, {"items": items[:1]}], shuffle_comparisons=False)
    open_task(page, pid, ids[0])
    page.locator("[data-item='r3']").drag_to(page.locator("[data-item='r1']"))  # drag Third to the top
    page.get_by_role("button", name="Move r1 down").click()
    expect(page.locator(".ed-rank-card")).to_have_text(["Third", "Second", "First"])
    submit_and_wait(page, ids[0])
    item = annotations_of(live_server, ids[0])[0]["result"][0]
    assert item["type"] == "ranker" and item["value"] == {"ranker": {"rank": ["r3", "r2", "r1"]}}


PAYLOAD = '<img src=x onerror="window.__owned=1"><script>window.__owned=1</script>'


def test_script_payloads_render_inert(page: Page, live_server: LiveServer) -> None:
    config = """<View><Header value="$title"/><Text name="text" value="$text"/><HyperText name="html" value="$html"/>
      <Paragraphs name="p" value="$dialogue" layout="dialogue"/>
      <Choices name="c" toName="text" value="$options"/></View>"""
    task = {
        "title": PAYLOAD,
        "text": PAYLOAD,
        "html": f'<p onclick="window.__owned=1">hello</p>{PAYLOAD}<a href="javascript:window.__owned=1">link</a>'
        '<iframe src="javascript:window.__owned=1"></iframe>',
        "dialogue": [{"author": PAYLOAD, "text": PAYLOAD}],
        "options": [{"value": "opt", "html": PAYLOAD}],
    }
    pid, ids = make_project(live_server, config, [task], expert_instruction=PAYLOAD, show_instruction=True)
    with live_server.http() as c:
        assert c.patch(f"/api/projects/{pid}", json={"title": PAYLOAD}).status_code == 200
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-text-content")).to_have_text(PAYLOAD)  # shown as text
    expect(page.locator(".ed-hypertext")).to_contain_text("hello")
    page.locator(".ed-hypertext a").click()
    page.locator(".ed-hypertext p").click()
    assert page.locator(".ed-root script, .ed-root iframe, .ed-root [onerror], .ed-root [onclick]").count() == 0
    assert page.locator("#lab-instructions script, #lab-instructions [onerror]").count() == 0
    expect(page.locator("#lab-title")).to_have_text(PAYLOAD)
    assert page.evaluate("() => window.__owned") is None
