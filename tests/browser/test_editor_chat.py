"""The <Chat> tag: a conversation shown as sanitized Markdown, messages added by the annotator (chatmessage results
the server takes), min/max messages, model replies through the editor's chatComplete option (pending, reply with
its meta, a rejected request), messages selected as regions for per-message answers in Label Studio's five chat
templates, and the time to show a 100-turn conversation (printed with -s).

Journeys that need no model run on the labeling page. The model's side is the editor's boundary: a small harness
mounts the editor on an app page with a chatComplete function the test answers, and the result it makes is
submitted through the real API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from label_studio_sdk.label_interface import LabelInterface
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.labeling_support import annotations_of, make_project, open_task
from tests.sdk.conftest import LiveServer

TEMPLATES = Path(__file__).parents[1] / "fixtures" / "templates" / "chat"
GALLERY = Path(__file__).parents[2] / "src" / "tessera" / "web" / "gallery"
XSS = (
    '**bold** and `code` <img src="x-xss" onerror="window.__xss = 1"> [bad](javascript:window.__xss=2) '
    "[good](https://example.org)\n\n```\n<script>window.__xss = 3</script>\n```"
)
INJECTED = 'img[src="x-xss"], script:not([src]):not([type="importmap"]), [onerror], a[href^="javascript:"]'

MOUNT = """async ([config, data, result, model]) => {
  const { createEditor } = await import("editor/editor.js");
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/static/editor/editor.css";
  document.head.append(css);
  const host = document.createElement("div");
  for (const el of document.body.children) el.hidden = true;  // the page's own elements stay, out of sight
  document.body.append(host);
  window.__calls = [];
  const options = { config, task: { id: 1, data }, result };
  if (model) options.chatComplete = (request) => {
    window.__calls.push(request);
    return new Promise((resolve, reject) => { window.__pending = { resolve, reject }; });
  };
  const t0 = performance.now();
  window.__editor = createEditor(host, options);
  void host.offsetHeight;  // laid out, not only built
  const built = performance.now() - t0;
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return [built, performance.now() - t0];
}"""


def mount(page: Page, config: str, data: dict[str, Any], result: list | None = None, model: bool = True) -> list[float]:
    if "/user/login" in page.url or page.url in ("about:blank", ""):
        sign_in(page)
    page.goto("/projects")
    page.wait_for_load_state("networkidle")
    return page.evaluate(MOUNT, [config, data, result, model])


def say(page: Page, text: str, role: str | None = None) -> None:
    if role:
        page.get_by_label("Role", exact=True).select_option(role)
    page.get_by_label("New message").fill(text)
    page.get_by_label("New message").press("Control+Enter")


def message(page: Page, n: int):
    return page.locator(".ed-msg").nth(n)


def chat_items(result: list[dict]) -> list[dict]:
    return [r for r in result if r["type"] == "chatmessage"]


CONFIG = """<View>
  <Chat name="chat" value="$chat" minMessages="4" maxMessages="$max" editable="true" messageroles="user,assistant"/>
</View>"""


def test_markdown_is_sanitized_and_added_messages_are_results_the_server_takes(
    page: Page, live_server: LiveServer
) -> None:
    chat = [{"role": "user", "content": XSS}, {"role": "assistant", "content": "Hello\n\n- one\n- two"}]
    pid, ids = make_project(live_server, CONFIG, [{"chat": chat, "max": 5}, {"chat": [], "max": 5}])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-msg")).to_have_count(2)
    first = message(page, 0)
    expect(first.locator("strong")).to_have_text("bold")
    expect(first.locator("pre code")).to_have_text("<script>window.__xss = 3</script>")
    expect(first.locator("a[href='https://example.org']")).to_have_attribute("rel", re.compile("noopener"))
    expect(first).to_contain_text('<img src="x-xss"')  # markup in a message stays text
    expect(message(page, 1).locator("li")).to_have_count(2)
    assert page.locator(".ed-chat").locator(INJECTED).count() == 0
    assert page.evaluate("window.__xss") is None

    say(page, "First question", "user")
    expect(page.locator(".ed-msg")).to_have_count(3)
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[0]}")  # ctrl+Enter in the composer did not submit
    page.locator("#lab-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("needs at least 4 messages (it has 3)")
    say(page, "An **answer**", "assistant")
    say(page, "One too many?", "user")
    expect(page.locator(".ed-msg")).to_have_count(5)
    expect(page.locator(".ed-chat-limit")).to_have_text("This conversation has reached its limit of 5 messages.")
    expect(page.get_by_label("New message")).to_be_disabled()
    message(page, 4).get_by_role("button", name="Delete message").click()
    expect(page.locator(".ed-msg")).to_have_count(4)
    expect(page.get_by_label("New message")).to_be_enabled()
    message(page, 3).get_by_role("button", name="Edit").click()
    page.get_by_label("Edit assistant message").fill("An *edited* answer")
    page.get_by_role("button", name="Save").click()
    expect(message(page, 3).locator("em")).to_have_text("edited")
    assert message(page, 0).get_attribute("data-role") == "user"
    assert not message(page, 0).get_by_role("button", name="Delete message").count()  # task messages stay

    page.locator("#lab-submit").click()
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[1]}")
    stored = chat_items(annotations_of(live_server, ids[0])[0]["result"])
    assert [(r["from_name"], r["to_name"]) for r in stored] == [("chat", "chat")] * 2
    assert [(r["value"]["chatmessage"]["role"], r["value"]["chatmessage"]["content"]) for r in stored] == [
        ("user", "First question"),
        ("assistant", "An *edited* answer"),
    ]
    assert all(isinstance(r["value"]["chatmessage"]["createdAt"], int) for r in stored)


LLM_CONFIG = """<View>
  <Chat name="chat" value="$chat" llm="openai/gpt-4.1-nano" editable="true" minMessages="2"/>
  <View visibleWhen="region-selected" whenRole="assistant">
    <Rating name="stars" toName="chat" perRegion="true"/>
  </View>
</View>"""


def test_model_replies_come_from_chat_complete_and_a_refusal_keeps_the_message(
    page: Page, live_server: LiveServer
) -> None:
    data = {"chat": [{"role": "system", "content": "Be brief."}]}
    mount(page, LLM_CONFIG, data)
    expect(page.locator(".ed-chat-notice")).to_have_count(0)
    expect(page.locator(".ed-chat-role")).to_have_text("user")  # with an llm, the annotator writes as the user
    say(page, "What is 2 + 2?")
    expect(page.locator(".ed-chat-status")).to_have_text("Waiting for openai/gpt-4.1-nano…")
    expect(page.get_by_label("New message")).to_be_disabled()
    request = page.evaluate("window.__calls[0]")
    assert request == {
        "llm": "openai/gpt-4.1-nano",
        "chatName": "chat",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2 + 2?"}],
    }
    meta = {"model": "gpt-4.1-nano", "params": {"temperature": 0.2}, "created_at": "2026-11-27T10:00:00Z"}
    page.evaluate("(meta) => window.__pending.resolve({ role: 'assistant', content: '**4**', meta })", meta)
    expect(page.locator(".ed-msg")).to_have_count(3)
    expect(message(page, 2).locator("strong")).to_have_text("4")
    expect(message(page, 2).locator(".ed-msg-model")).to_have_text("gpt-4.1-nano")
    expect(page.get_by_label("New message")).to_be_enabled()

    say(page, "And 3 + 3?")
    page.evaluate("window.__pending.reject(new Error('rate limited'))")
    expect(page.get_by_role("alert")).to_have_text(re.compile("The model did not reply: rate limited"))
    expect(page.locator(".ed-msg")).to_have_count(4)  # the annotator's message is kept
    page.get_by_role("button", name="Ask again").click()
    page.evaluate("window.__pending.resolve({ role: 'assistant', content: '6', meta: {model: 'gpt-4.1-nano'} })")
    expect(page.locator(".ed-msg")).to_have_count(5)
    expect(page.get_by_role("alert")).to_be_hidden()
    assert page.evaluate("window.__calls.length") == 3

    message(page, 2).click()  # an assistant message: its rating shows
    page.locator(".ed-rating .ed-star").nth(3).click()
    page.keyboard.press("Escape")
    expect(page.locator(".ed-rating")).to_be_hidden()
    result = page.evaluate("window.__editor.getResult()")
    assert page.evaluate("window.__editor.validate()") == []
    replies = [m for m in (r["value"]["chatmessage"] for r in chat_items(result)) if m["role"] == "assistant"]
    assert replies[0]["meta"] == meta and replies[0]["content"] == "**4**"
    rating = next(r for r in result if r["from_name"] == "stars")
    assert rating["value"] == {"messageIndex": 2, "rating": 4}
    assert rating["id"] == chat_items(result)[1]["id"]  # the region is the reply message

    pid, ids = make_project(live_server, LLM_CONFIG, [data])
    with live_server.http() as http:
        r = http.post(f"/api/tasks/{ids[0]}/annotations", json={"result": result})
        assert r.status_code == 201, r.text
        broken = [*result[:-1], {**rating, "value": {"messageIndex": 9, "rating": 4}}]
        r = http.post(f"/api/tasks/{ids[0]}/annotations", json={"result": broken})
        assert r.status_code == 400 and "messageIndex" in r.text, r.text

    mount(page, LLM_CONFIG, data, result)  # an existing annotation brings its messages back
    expect(page.locator(".ed-msg")).to_have_count(5)
    expect(message(page, 2)).to_have_class(re.compile("ed-answered"))


def test_without_a_model_the_composer_says_so_and_asks_nothing(page: Page) -> None:
    mount(page, LLM_CONFIG, {"chat": []}, model=False)
    expect(page.locator(".ed-chat-notice")).to_have_text("No model connected: openai/gpt-4.1-nano will not reply here.")
    say(page, "Hello?")
    expect(page.locator(".ed-msg")).to_have_count(1)
    expect(page.locator(".ed-chat-status")).to_have_text("")
    assert page.evaluate("window.__editor.validate()") == ['"chat" needs at least 2 messages (it has 1)']


def test_answers_follow_their_message_when_an_earlier_one_is_deleted(page: Page, live_server: LiveServer) -> None:
    config = '<View><Chat name="chat" value="$chat"/><Rating name="stars" toName="chat" perRegion="true"/></View>'
    data = {"chat": [{"role": "user", "content": "Hi"}]}
    mount(page, config, data, model=False)
    say(page, "first added", "assistant")
    say(page, "second added", "user")
    message(page, 2).click()
    page.locator(".ed-rating .ed-star").nth(1).click()
    message(page, 1).get_by_role("button", name="Delete message").click()
    expect(page.locator(".ed-msg")).to_have_count(2)
    expect(message(page, 1)).to_have_class(re.compile("ed-selected"))  # still the rated message, now second
    result = page.evaluate("window.__editor.getResult()")
    rating = next(r for r in result if r["from_name"] == "stars")
    assert rating["value"] == {"messageIndex": 1, "rating": 2} and rating["id"] == chat_items(result)[0]["id"]
    page.keyboard.press("Delete")  # the selected message goes, with its answers
    expect(page.locator(".ed-msg")).to_have_count(1)
    assert page.evaluate("window.__editor.getResult()") == []
    page.keyboard.press("Control+z")
    expect(page.locator(".ed-msg")).to_have_count(2)
    pid, ids = make_project(live_server, config, [data])
    with live_server.http() as http:
        r = http.post(f"/api/tasks/{ids[0]}/annotations", json={"result": result})
        assert r.status_code == 201, r.text


def _template(name: str) -> tuple[str, dict[str, Any]]:
    if (GALLERY / f"{name}.xml").exists():  # one of Tessera's own
        return (GALLERY / f"{name}.xml").read_text(), json.loads((GALLERY / f"{name}.json").read_text())["data"]
    config = yaml.safe_load((TEMPLATES / name / "config.yml").read_text())["config"]
    sample = re.search(r"<!--\s*(\{.*\})\s*-->\s*$", config, re.S)
    data = json.loads(sample.group(1))["data"] if sample else {"text": "Talk to the agent.", "chat": []}
    return config, data


def _answer_visible(page: Page) -> int:
    """Answer every visible control not answered yet; returns how many."""
    answered = 0
    for group in page.locator(".ed-choices:visible").all():
        if not group.locator("input:checked").count():
            group.locator("input").first.click()
            answered += 1
    for rating in page.locator(".ed-rating:visible").all():
        if not rating.locator("[aria-checked='true']").count():
            rating.locator(".ed-star").last.click()
            answered += 1
    for area in page.locator(".ed-textarea:visible").all():
        if not area.locator("li").count():
            area.locator(".ed-textarea-input input, .ed-textarea-input textarea").first.fill("a note")
            area.locator(".ed-textarea-input input, .ed-textarea-input textarea").first.press("Enter")
            answered += 1
    return answered


CHAT_TEMPLATES = ["chat_eval", "chat_llm_eval", "chat_red_team", "chat_rlhf", "chatbot"]
GALLERY_CHATS = ["chat-red-teaming", "chat-message-rating"]


def test_the_gallery_has_chat_templates() -> None:
    index = json.loads((GALLERY / "index.json").read_text())
    assert {t["id"] for t in index} >= set(GALLERY_CHATS)
    assert all("<Chat " in (GALLERY / f"{name}.xml").read_text() for name in GALLERY_CHATS)


@pytest.mark.parametrize("name", CHAT_TEMPLATES + GALLERY_CHATS)
def test_chat_template_takes_per_message_answers(page: Page, live_server: LiveServer, name: str) -> None:
    config, data = _template(name)
    pid, ids = make_project(live_server, config, [data, data])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-chat")).to_be_visible()
    assert page.locator(".ed-unsupported").count() == 0
    limit = re.search(r'minMessages="(\d+)"', config)
    minimum = int(limit.group(1)) if limit else 0
    roles = ["user", "assistant"] if page.get_by_label("Role", exact=True).count() else ["user"]
    for n in range(len(data["chat"]), minimum):
        say(page, f"Message {n} about *labels*", roles[n % len(roles)] if len(roles) > 1 else None)
    expect(page.locator(".ed-msg")).to_have_count(max(minimum, len(data["chat"])))

    hint = page.get_by_text("Click on a message to evaluate")
    per_message = 0
    for role in ("assistant", "user"):
        target = page.locator(f".ed-msg[data-role='{role}']").first
        if not target.count():
            continue
        target.click()
        expect(target).to_have_class(re.compile("ed-selected"))
        if hint.count():
            expect(hint).to_be_hidden()
        per_message += _answer_visible(page)
        page.evaluate("document.activeElement.blur()")  # Escape in a text field stays the field's
        page.keyboard.press("Escape")
        expect(target).not_to_have_class(re.compile("ed-selected"))
    if hint.count():
        expect(hint).to_be_visible()
    _answer_visible(page)
    page.locator("#lab-submit").click()
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[1]}")

    result = annotations_of(live_server, ids[0])[0]["result"]
    added = chat_items(result)
    assert len(added) == max(0, minimum - len(data["chat"]))
    on_messages = [r for r in result if "messageIndex" in r["value"]]
    has_per_region = 'perRegion="true"' in config
    assert bool(on_messages) == has_per_region
    assert per_message > 0 or not has_per_region
    message_ids = [f"chat-{i}" for i in range(len(data["chat"]))] + [r["id"] for r in added]
    for answer in on_messages:
        assert message_ids[answer["value"]["messageIndex"]] == answer["id"]
    # label_studio_sdk agrees, except that it takes a <Chat toName="chat"> (chat_eval) for a control whose
    # results are of type "chat", and then refuses the "chatmessage" items Label Studio's editor writes
    chat_as_control = re.search(r"<Chat\b[^>]*\btoName=", config) is not None
    checked = [r for r in result if not (chat_as_control and r["type"] == "chatmessage")]
    assert LabelInterface(config).validate_prediction({"result": checked}, return_errors=True) == []


def test_role_decides_which_per_message_controls_show(page: Page, live_server: LiveServer) -> None:
    config, data = _template("chatbot")
    pid, ids = make_project(live_server, config, [data])
    open_task(page, pid, ids[0])
    accuracy = page.locator(".ed-rating[data-control='accuracy']")
    expect(accuracy).to_be_hidden()
    page.locator(".ed-msg[data-role='user']").click()
    expect(accuracy).to_be_hidden()
    page.locator(".ed-msg[data-role='assistant']").click()
    expect(accuracy).to_be_visible()
    page.locator(".ed-msg[data-role='assistant']").press("Escape")
    expect(accuracy).to_be_hidden()


def test_a_hundred_turns_show_quickly(page: Page) -> None:
    turn = "Here is **step {n}**:\n\n- check `config.xml`\n- run it\n\n```\nprint({n})\n```"
    chat = [{"role": "user" if n % 2 else "assistant", "content": turn.format(n=n)} for n in range(100)]
    config = '<View><Chat name="chat" value="$chat"/><Choices name="c" toName="chat" perRegion="true">' \
        '<Choice value="Good"/></Choices></View>'  # fmt: skip
    built, painted = mount(page, config, {"chat": chat})
    expect(page.locator(".ed-msg")).to_have_count(100)
    message(page, 50).click()
    select_ms = page.evaluate("""() => {
      const t0 = performance.now();
      document.querySelectorAll('.ed-msg')[60].click();
      void document.body.offsetHeight;
      return performance.now() - t0;
    }""")
    expect(message(page, 60)).to_have_class(re.compile("ed-selected"))
    page.evaluate("() => { document.querySelectorAll('.ed-msg')[0].dataset.seen = 'yes'; }")
    page.get_by_label("New message").press_sequentially("typing and sending do not redraw the others", delay=0)
    page.get_by_label("New message").press("Control+Enter")
    expect(page.locator(".ed-msg")).to_have_count(101)
    expect(message(page, 0)).to_have_attribute("data-seen", "yes")  # the same element: not drawn again
    print(f"\n100-turn chat: built and laid out {built:.0f} ms, painted {painted:.0f} ms; ", end="")
    print(f"selecting a message {select_ms:.1f} ms")
    assert painted < 1500
