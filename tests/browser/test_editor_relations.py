"""Relations drawn as arrows: linking two spans and two boxes draws an arrow between the right regions, with
its direction and label; picking the relation in the list highlights its arrow; the arrow follows a zoom;
deleting a region takes its relation and arrow away. A saved relation between paragraph spans is drawn on
load, both ways."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, make_project, open_task, png_data_url
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Text name="text" value="$text"/>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Cat"/><Label value="Dog"/></RectangleLabels>
  <Relations><Relation value="works for"/><Relation value="chases"/></Relations>
</View>"""
TEXT = "Alice works for Acme in Paris."


def _span(rid: str, start: int, end: int, label: str) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}
    return {"id": rid, "from_name": "ner", "to_name": "text", "type": "labels", "value": value}


def _box(rid: str, x: float, y: float, label: str) -> dict[str, Any]:
    value = {"x": x, "y": y, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": [label]}
    return {"id": rid, "from_name": "box", "to_name": "image", "type": "rectanglelabels", "value": value,
            "original_width": 400, "original_height": 300}  # fmt: skip


def link(page: Page, source: str, target: str) -> None:
    page.locator(f".ed-region[data-region='{source}'] .ed-link").click()
    page.locator(f".ed-region[data-region='{target}'] .ed-region-pick").click()


def ends(page: Page, source: str, target: str) -> dict[str, Any]:
    """The arrow's two ends and the tops of the regions it joins, in page pixels."""
    return page.evaluate(
        """([from, to]) => {
          const arrow = document.querySelector(`.ed-arrow[data-from="${from}"][data-to="${to}"]`);
          const line = arrow.querySelector(".ed-arrow-line");
          const box = document.querySelector(".ed-arrows").getBoundingClientRect();
          const at = (p) => [p.x + box.left, p.y + box.top];
          const top = (id) => {
            const el = document.querySelector(`.ed-shape[data-region="${id}"], mark[data-region="${id}"]`);
            const r = el.getClientRects()[0];
            return [r.left + r.width / 2, r.top];
          };
          return {start: at(line.getPointAtLength(0)), end: at(line.getPointAtLength(line.getTotalLength())),
                  from: top(from), to: top(to)};
        }""",
        [source, target],
    )


def near(a: list[float], b: list[float]) -> bool:
    return abs(a[0] - b[0]) < 2 and abs(a[1] - b[1]) < 2


def joins(page: Page, source: str, target: str) -> None:
    got = ends(page, source, target)
    assert near(got["start"], got["from"]) and near(got["end"], got["to"]), got


def test_arrows_between_spans_and_boxes(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": TEXT, "image": png_data_url(400, 300)}])
    regions = [
        _span("alice", 0, 5, "PER"),
        _span("acme", 16, 20, "ORG"),
        _box("cat", 10, 40, "Cat"),
        _box("dog", 60, 50, "Dog"),
    ]
    with live_server.http() as http:
        http.post(f"/api/tasks/{ids[0]}/annotations", json={"result": regions}).raise_for_status()
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-image-img")).to_have_js_property("naturalWidth", 400)
    expect(page.locator(".ed-arrow")).to_have_count(0)

    link(page, "alice", "acme")
    link(page, "dog", "cat")
    expect(page.locator(".ed-relation")).to_have_count(2)
    arrows = page.locator(".ed-arrow")
    expect(arrows).to_have_count(2)
    words = page.locator(".ed-arrow[data-from='alice'][data-to='acme']")
    chase = page.locator(".ed-arrow[data-from='dog'][data-to='cat']")
    expect(words).to_have_attribute("data-direction", "right")
    assert words.locator(".ed-arrow-line").get_attribute("marker-end", timeout=1000).startswith("url(#ed-arrowhead-")
    joins(page, "alice", "acme")
    joins(page, "dog", "cat")

    words_row = page.locator(".ed-relation[data-from='alice']")
    words_row.get_by_label("Relation label").select_option("works for")
    expect(words.locator(".ed-arrow-label")).to_have_text("works for")
    chase_row = page.locator(".ed-relation[data-from='dog']")
    chase_row.get_by_label("Change the relation's direction").click()  # right → left
    expect(chase).to_have_attribute("data-direction", "left")
    assert chase.locator(".ed-arrow-line").get_attribute("marker-end") is None
    assert chase.locator(".ed-arrow-line").get_attribute("marker-start")
    chase_row.locator(".ed-relation-pick").click()
    expect(chase).to_have_class("ed-arrow ed-arrow-selected")
    expect(words).to_have_class("ed-arrow")

    page.get_by_role("button", name="Zoom in").click()  # the shapes move: the arrow follows
    page.wait_for_timeout(100)
    joins(page, "dog", "cat")

    page.locator(".ed-region[data-region='acme'] .ed-delete").click()
    expect(page.locator(".ed-relation")).to_have_count(1)
    expect(arrows).to_have_count(1)
    expect(words).to_have_count(0)
    page.locator("#lab-submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")
    result = annotations_of(live_server, ids[0])[0]["result"]
    relations = [r for r in result if r["type"] == "relation"]
    assert relations == [{"from_id": "dog", "to_id": "cat", "type": "relation", "direction": "left", "labels": []}]
    assert sorted(r["id"] for r in result if r["type"] != "relation") == ["alice", "cat", "dog"]


PARAGRAPHS = """<View>
  <ParagraphLabels name="tags" toName="dialog"><Label value="Q"/><Label value="A"/></ParagraphLabels>
  <Paragraphs name="dialog" value="$dialog" layout="dialogue"/>
  <Relations><Relation value="answers"/></Relations>
</View>"""


def test_a_saved_relation_between_paragraph_spans(page: Page, live_server: LiveServer) -> None:
    dialog = [{"author": "Ann", "text": "Where is it?"}, {"author": "Bob", "text": "In the box."}]

    def span(rid: str, paragraph: str, text: str, label: str) -> dict[str, Any]:
        value = {"start": paragraph, "end": paragraph, "startOffset": 0, "endOffset": len(text), "text": text}
        return {"id": rid, "from_name": "tags", "to_name": "dialog", "type": "paragraphlabels",
                "value": {**value, "paragraphlabels": [label]}}  # fmt: skip

    relation = {"type": "relation", "from_id": "a", "to_id": "q", "direction": "bi", "labels": ["answers"]}
    result = [span("q", "0", "Where", "Q"), span("a", "1", "In the box.", "A"), relation]
    pid, ids = make_project(live_server, PARAGRAPHS, [{"dialog": dialog}])
    with live_server.http() as http:
        http.post(f"/api/tasks/{ids[0]}/annotations", json={"result": result}).raise_for_status()
    open_task(page, pid, ids[0])
    arrow = page.locator(".ed-arrow[data-from='a'][data-to='q']")
    expect(arrow).to_have_attribute("data-direction", "bi")
    expect(arrow.locator(".ed-arrow-label")).to_have_text("answers")
    assert arrow.locator(".ed-arrow-line").get_attribute("marker-start")
    assert arrow.locator(".ed-arrow-line").get_attribute("marker-end")
    joins(page, "a", "q")
    expect(page.locator(".ed-relation-pick")).to_have_text("a ↔ q")
