"""ParagraphLabels on a dialogue: spans inside one paragraph and across two, marked with the mouse and with the
keyboard, stored as Label Studio writes them (paragraph indexes as strings, code point offsets that slice each
paragraph's text exactly); a per-region choice on a span; predictions and a saved annotation drawn again."""

from __future__ import annotations

from typing import Any

from label_studio_sdk.label_interface import LabelInterface
from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, drag_over_text, make_project, open_task
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <ParagraphLabels name="tags" toName="dialog"><Label value="Q"/><Label value="A"/></ParagraphLabels>
  <Paragraphs name="dialog" value="$dialog" layout="dialogue"/>
  <Choices name="tone" toName="dialog" perRegion="true"><Choice value="Calm"/><Choice value="Angry"/></Choices>
</View>"""
DIALOG = [
    {"author": "Zoë", "text": "Hi 👋🏽 there, how are you?"},
    {"author": "Bob", "text": "Fine — Ame\u0301lie said 😀 hello."},
    {"author": "Zoë", "text": "Good."},
]


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shown_units(paragraph: int, code_points: int) -> int:
    """Where (paragraph, code point) is in the text nodes of the whole list (authors, then texts) in UTF-16 units."""
    before = sum(units(p["author"]) + units(p["text"]) for p in DIALOG[:paragraph])
    return before + units(DIALOG[paragraph]["author"]) + units(DIALOG[paragraph]["text"][:code_points])


def drag(page: Page, start: tuple[int, int], end: tuple[int, int]) -> None:
    drag_over_text(page, ".ed-paragraphs", shown_units(*start), shown_units(*end))


def sliced(value: dict[str, Any]) -> str:
    """The text a value names, cut from the task's paragraphs as Python slices them."""
    first, last = int(value["start"]), int(value["end"])
    texts = [p["text"] for p in DIALOG]
    if first == last:
        return texts[first][value["startOffset"] : value["endOffset"]]
    middle = texts[first + 1 : last]
    return "\n".join([texts[first][value["startOffset"] :], *middle, texts[last][: value["endOffset"]]])


def test_spans_in_one_paragraph_and_across_two(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"dialog": DIALOG}, {"dialog": DIALOG[:1]}])
    open_task(page, pid, ids[0])
    page.locator(".ed-label", has_text="Q").click()
    there = DIALOG[0]["text"].index("there")
    drag(page, (0, there), (0, there + 5))
    expect(page.locator(".ed-span")).to_have_text("there")
    page.locator(".ed-label", has_text="A").click()
    how = DIALOG[0]["text"].index("how")
    amelie = DIALOG[1]["text"].index("Ame\u0301lie")
    drag(page, (0, how), (1, amelie + 7))  # "how are you?" … "Fine — Amélie" (seven code points)
    expect(page.locator(".ed-region")).to_have_count(2)
    expect(page.locator(".ed-span")).to_have_count(3)  # one region drawn in two paragraphs
    page.locator(".ed-region-pick").last.click()
    page.get_by_label("Angry").click()  # a per-region answer on the cross-paragraph span
    page.locator(".ed-region-pick").last.click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")

    result = annotations_of(live_server, ids[0])[0]["result"]
    spans = sorted((r for r in result if r["type"] == "paragraphlabels"), key=lambda r: r["value"]["startOffset"])
    assert [s["value"]["paragraphlabels"] for s in spans] == [["Q"], ["A"]]
    one, two = (s["value"] for s in spans)
    assert (one["start"], one["end"], one["startOffset"], one["endOffset"]) == ("0", "0", there, there + 5)
    assert (two["start"], two["end"], two["startOffset"], two["endOffset"]) == ("0", "1", how, amelie + 7)
    for value in (one, two):
        assert sliced(value) == value["text"]
    assert two["text"] == "how are you?\nFine — Ame\u0301lie"
    tone = next(r for r in result if r["from_name"] == "tone")
    assert tone["id"] == spans[1]["id"] and tone["value"]["choices"] == ["Angry"]
    assert tone["value"]["startOffset"] == how and tone["value"]["end"] == "1"
    assert LabelInterface(CONFIG).validate_prediction({"result": result}, return_errors=True) == []


def test_a_span_across_paragraphs_marked_with_the_keyboard(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"dialog": DIALOG}, {"dialog": DIALOG[:1]}])
    open_task(page, pid, ids[0])
    page.locator(".ed-label", has_text="Q").click()
    dialog = page.locator(".ed-paragraphs")
    dialog.focus()
    for _ in range(3):
        dialog.press("ArrowRight")  # past "Hi "
    dialog.press("Shift+ArrowRight")  # 👋 and its skin tone are two code points, one step each
    dialog.press("Shift+ArrowRight")
    dialog.press("Enter")
    dialog.press("End")
    dialog.press("ArrowLeft")  # before the last "."
    for _ in range(4):
        dialog.press("Shift+ArrowLeft")  # "Good"
    dialog.press("Control+Shift+ArrowLeft")  # back over the paragraph break and "hello."
    dialog.press("Enter")
    expect(page.locator(".ed-region")).to_have_count(2)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")
    values = sorted((r["value"] for r in annotations_of(live_server, ids[0])[0]["result"]), key=lambda v: v["start"])
    assert [v["text"] for v in values] == ["👋🏽", "hello.\nGood"]
    assert [(v["start"], v["end"]) for v in values] == [("0", "0"), ("1", "2")]
    for value in values:
        assert sliced(value) == value["text"]


def test_predictions_and_a_saved_annotation_are_drawn(page: Page, live_server: LiveServer) -> None:
    def span(rid: str, value: dict[str, Any], label: str = "Q") -> dict[str, Any]:
        return {"id": rid, "from_name": "tags", "to_name": "dialog", "type": "paragraphlabels",
                "value": {**value, "paragraphlabels": [label]}}  # fmt: skip

    predicted = {
        "data": {"dialog": DIALOG},
        "predictions": [{"model_version": "m1", "result": [
            span("p1", {"start": "1", "end": "1", "startOffset": 22, "endOffset": 28, "text": "hello."}),
            span("p2", {"start": 2, "end": 2}, "A"),  # the SDK's ParagraphLabels.label(utterance=2): a whole paragraph
        ]}],
    }  # fmt: skip
    pid, ids = make_project(live_server, CONFIG, [predicted, {"dialog": DIALOG}])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-span")).to_have_text(["hello.", "Good."])
    expect(page.locator(".ed-region[data-origin='prediction']")).to_have_count(2)
    expect(page.locator(".ed-region-pick").last).to_have_text("A · paragraph 3")
    page.locator(".ed-region .ed-delete").last.click()  # delete one
    expect(page.locator(".ed-span")).to_have_text(["hello."])

    saved = [span("s1", {"start": "0", "end": "1", "startOffset": 21, "endOffset": 4, "text": "you?\nFine"})]
    with live_server.http() as c:
        r = c.post(f"/api/tasks/{ids[1]}/annotations", json={"result": saved})
        assert r.status_code == 201, r.text
    open_task(page, pid, ids[1])
    expect(page.locator(".ed-span")).to_have_text(["you?", "Fine"])
    expect(page.locator(".ed-region-pick")).to_have_text("Q · you?\nFine")
