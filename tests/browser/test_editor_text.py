"""Spans on text with emoji, combining marks and right-to-left script: marked with the mouse, stored as code
point offsets that slice the task's text exactly (as Python slices it), accepted by the server; relabel,
undo/redo and delete through the region list."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, drag_over_text, make_project, open_task
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="LOC"/></Labels>
  <Text name="text" value="$text"/>
</View>"""
TEXT = "Hi 👋🏽 from Zoë and José — 😀 met שָׁלוֹם in القاهرة, then Ame\u0301lie left."


def units(text: str, code_points: int) -> int:
    """UTF-16 length of the first `code_points` characters: where the browser's text node has them."""
    return len(text[:code_points].encode("utf-16-le")) // 2


def test_ner_span_offsets_slice_the_text_exactly(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": TEXT}, {"text": "next"}])
    open_task(page, pid, ids[0])
    targets = [("José", "PER"), ("القاهرة", "LOC"), ("Ame\u0301lie", "PER")]
    for word, label in targets:
        page.locator(".ed-label", has_text=label).click()
        start = TEXT.index(word)
        drag_over_text(page, ".ed-text-content", units(TEXT, start), units(TEXT, start + len(word)))
    expect(page.locator(".ed-region")).to_have_count(3)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")
    stored = annotations_of(live_server, ids[0])
    assert len(stored) == 1, stored
    spans = sorted(stored[0]["result"], key=lambda r: r["value"]["start"])
    for item, (word, label) in zip(spans, targets, strict=True):
        v = item["value"]
        assert TEXT[v["start"] : v["end"]] == word == v["text"]
        assert v["labels"] == [label] and item["type"] == "labels" and item["origin"] == "manual"


def test_relabel_undo_redo_delete(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": TEXT}])
    open_task(page, pid, ids[0])
    page.keyboard.press("1")  # PER, the default digit hotkey
    start = TEXT.index("Zoë")
    drag_over_text(page, ".ed-text-content", units(TEXT, start), units(TEXT, start + 3))
    expect(page.locator(".ed-span")).to_have_text("Zoë")
    page.locator(".ed-region-pick").click()  # select it, then relabel
    page.locator(".ed-label", has_text="LOC").click()
    expect(page.locator(".ed-region-pick")).to_contain_text("LOC")
    page.keyboard.press("Control+z")
    expect(page.locator(".ed-region-pick")).to_contain_text("PER")
    page.keyboard.press("Control+Shift+Z")
    expect(page.locator(".ed-region-pick")).to_contain_text("LOC")
    page.keyboard.press("Delete")
    expect(page.locator(".ed-span")).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(page.locator(".ed-span")).to_have_count(1)


def test_a_span_marked_with_the_keyboard(page: Page, live_server: LiveServer) -> None:
    config = """<View><Text name="text" value="$text"/>
      <Labels name="ner" toName="text"><Label value="PER" hotkey="p"/><Label value="LOC"/></Labels></View>"""
    text = "I 😀 met Zoë in Paris"
    pid, ids = make_project(live_server, config, [{"text": text}, {"text": "next"}])
    open_task(page, pid, ids[0])
    page.locator(".ed-label", has_text="PER").click()
    content = page.locator(".ed-text-content")
    content.focus()
    for _ in range(2):
        content.press("ArrowRight")
    content.press("Shift+ArrowRight")  # the emoji is one step, two UTF-16 units
    content.press("Enter")
    content.press("Control+ArrowRight")  # past " met"
    content.press("ArrowRight")
    content.press("Control+Shift+ArrowRight")  # "Zoë"
    content.press("Enter")
    content.press("End")
    for _ in range(5):
        content.press("Shift+ArrowLeft")  # "Paris"
    content.press("Enter")
    expect(page.locator(".ed-region")).to_have_count(3)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")
    spans = sorted((r["value"]["start"], r["value"]["end"]) for r in annotations_of(live_server, ids[0])[0]["result"])
    assert [text[a:b] for a, b in spans] == ["😀", "Zoë", "Paris"]
