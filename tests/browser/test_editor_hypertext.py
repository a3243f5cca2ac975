"""HyperTextLabels: spans in HTML marked with the mouse and the keyboard, stored as Label Studio writes them —
the values are those Label Studio's own editor tests expect for the same HTML and selection (xpaths from the
HTML's root, offsets in UTF-16 units of the node, globalOffsets in code points) — across nested tags and
paragraphs; predictions and a saved annotation drawn again from their xpaths or their globalOffsets."""

from __future__ import annotations

from typing import Any

from label_studio_sdk.label_interface import LabelInterface
from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, drag_over_text, make_project, open_task
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <HyperTextLabels name="ner" toName="html"><Label value="PER"/><Label value="ORG"/></HyperTextLabels>
  <HyperText name="html" value="$html"/>
</View>"""
# The HTML of Label Studio's emoji tests (web/libs/editor/tests/e2e/.../ner/emoji), and what they expect.
ARTICLE = "<article><h2>🐱 Warning:</h2> <p>🐱 This is a test text</p></article>"
LS_TEST = {
    "start": "/article[1]/p[1]/text()[1]", "end": "/article[1]/p[1]/text()[1]",
    "startOffset": 13, "endOffset": 17, "globalOffsets": {"start": 23, "end": 27}, "text": "test",
}  # fmt: skip
LS_WARNING_TO_TEST = {
    "start": "/article[1]/h2[1]/text()[1]", "end": "/article[1]/p[1]/text()[1]",
    "startOffset": 3, "endOffset": 17, "globalOffsets": {"start": 2, "end": 27}, "text": "Warning:\n🐱 This is a test",
}  # fmt: skip
NESTED = "<p>a <b>bold</b> word</p>\n<p>Second <i>para</i> 😀 end</p>"


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def drag(page: Page, shown: str, word: str, until: str | None = None) -> None:
    """Select from `word` through `until` (or `word` alone) in the shown text, all text nodes in order."""
    start = shown.index(word)
    end = shown.index(until) + len(until) if until else start + len(word)
    drag_over_text(page, ".ed-hypertext-content", units(shown[:start]), units(shown[:end]))


def submit(page: Page, live_server: LiveServer, task_id: int) -> list[dict[str, Any]]:
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{task_id}")
    return [r["value"] for r in annotations_of(live_server, task_id)[0]["result"]]


def test_spans_match_label_studio_values(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"html": ARTICLE}, {"html": "<p>🐱\nmeans cat</p>"}, {"html": "x"}])
    open_task(page, pid, ids[0])
    shown = "🐱 Warning: 🐱 This is a test text"
    page.locator(".ed-label", has_text="PER").click()
    drag(page, shown, "test")
    drag(page, shown, "Warning", "test")
    expect(page.locator(".ed-region")).to_have_count(2)
    values = sorted(submit(page, live_server, ids[0]), key=lambda v: v["globalOffsets"]["start"], reverse=True)
    assert values == [LS_TEST | {"hypertextlabels": ["PER"]}, LS_WARNING_TO_TEST | {"hypertextlabels": ["PER"]}]

    open_task(page, pid, ids[1])
    page.locator(".ed-label", has_text="ORG").click()
    drag(page, "🐱\nmeans cat", "means")
    (value,) = submit(page, live_server, ids[1])
    assert value == {"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 3, "endOffset": 8,
                     "globalOffsets": {"start": 2, "end": 7}, "text": "means", "hypertextlabels": ["ORG"]}  # fmt: skip


def test_nested_tags_paragraphs_and_the_keyboard(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"html": NESTED}, {"html": "x"}])
    open_task(page, pid, ids[0])
    shown = "a bold word\nSecond para 😀 end"
    page.keyboard.press("1")
    drag(page, shown, "a bold word")
    drag(page, shown, "bold")
    drag(page, shown, "word", "Second")
    content = page.locator(".ed-hypertext-content")
    content.focus()
    content.press("End")
    for _ in range(4):
        content.press("ArrowLeft")  # before " end"
    content.press("Shift+ArrowLeft")  # 😀, one step
    content.press("Enter")
    expect(page.locator(".ed-region")).to_have_count(4)
    values = sorted(
        submit(page, live_server, ids[0]), key=lambda v: (v["globalOffsets"]["start"], v["globalOffsets"]["end"])
    )
    for v in values:  # code points of all the text, the line break between the paragraphs included
        assert shown[v["globalOffsets"]["start"] : v["globalOffsets"]["end"]] == v["text"]
    assert [(v["start"], v["startOffset"], v["end"], v["endOffset"], v["text"]) for v in values] == [
        ("/p[1]/text()[1]", 0, "/p[1]/text()[2]", 5, "a bold word"),
        ("/p[1]/b[1]/text()[1]", 0, "/p[1]/b[1]/text()[1]", 4, "bold"),
        ("/p[1]/text()[2]", 1, "/p[2]/text()[1]", 6, "word\nSecond"),
        ("/p[2]/text()[2]", 1, "/p[2]/text()[2]", 3, "😀"),
    ]
    result = annotations_of(live_server, ids[0])[0]["result"]
    assert LabelInterface(CONFIG).validate_prediction({"result": result}, return_errors=True) == []


def test_xpaths_name_the_html_as_written_and_its_script_stays_inert(page: Page, live_server: LiveServer) -> None:
    """The editor shows a whitelisted copy (no <section>, <font> or <script>, an image from another host as
    its alt text), yet xpaths and offsets point into the HTML as the task holds it."""
    payload = (
        '<section><p onclick="window.__owned=1">Hi <font>there</font><script>window.__owned=1</script> you '
        '<img src="https://example.com/a.png" alt="cat" onerror="window.__owned=1"> now</p></section>'
    )
    pid, ids = make_project(live_server, CONFIG, [{"html": payload}, {"html": "x"}])
    open_task(page, pid, ids[0])
    shown = "Hi there you [image: cat] now"
    expect(page.locator(".ed-hypertext-content")).to_have_text(shown)
    page.keyboard.press("1")
    drag(page, shown, "there")
    drag(page, shown, "you", "now")
    expect(page.locator(".ed-region")).to_have_count(2)
    values = sorted(submit(page, live_server, ids[0]), key=lambda v: v["globalOffsets"]["start"])
    assert [(v["start"], v["startOffset"], v["end"], v["endOffset"], v["text"]) for v in values] == [
        ("/section[1]/p[1]/font[1]/text()[1]", 0, "/section[1]/p[1]/font[1]/text()[1]", 5, "there"),
        ("/section[1]/p[1]/text()[2]", 1, "/section[1]/p[1]/text()[3]", 4, "you  now"),
    ]
    written = "Hi there you  now"  # the text of the HTML as written, without the script's
    for v in values:
        assert written[v["globalOffsets"]["start"] : v["globalOffsets"]["end"]] == v["text"]
    assert page.evaluate("() => window.__owned") is None


def test_predictions_and_a_saved_annotation_are_drawn(page: Page, live_server: LiveServer) -> None:
    def span(rid: str, value: dict[str, Any], label: str = "PER") -> dict[str, Any]:
        return {"id": rid, "from_name": "ner", "to_name": "html", "type": "hypertextlabels",
                "value": {**value, "hypertextlabels": [label]}}  # fmt: skip

    predicted = {
        "data": {"html": NESTED},
        "predictions": [{"model_version": "m1", "result": [
            span("p1", {"start": "/p[1]/b[1]/text()[1]", "end": "/p[1]/b[1]/text()[1]", "startOffset": 0,
                        "endOffset": 4, "text": "bold"}),
            span("p2", {"start": "", "end": "", "globalOffsets": {"start": 18, "end": 23}, "text": " para"}, "ORG"),
        ]}],
    }  # fmt: skip
    pid, ids = make_project(live_server, CONFIG, [predicted, {"html": ARTICLE}])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-span")).to_have_text(["bold", " ", "para"])  # " para" lies in two text nodes
    expect(page.locator(".ed-region[data-origin='prediction']")).to_have_count(2)
    with live_server.http() as c:
        r = c.post(f"/api/tasks/{ids[1]}/annotations", json={"result": [span("s1", LS_WARNING_TO_TEST)]})
        assert r.status_code == 201, r.text
    open_task(page, pid, ids[1])
    expect(page.locator(".ed-span")).to_have_text(["Warning:", " ", "🐱 This is a test"])
    page.locator(".ed-span").first.click()
    expect(page.locator(".ed-region.ed-selected")).to_have_count(1)
    page.keyboard.press("Delete")
    expect(page.locator(".ed-span")).to_have_count(0)
