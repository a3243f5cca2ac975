"""Every Label Studio gallery template made only of tags the editor draws: the server takes the config, the
editor renders a sample task with no console error, a person fills in what is visible, and the stored result
passes both our server's validation and label_studio_sdk's LabelInterface."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from label_studio_sdk.label_interface import LabelInterface
from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, drag_over_text, make_project, open_task, png_data_url
from tests.sdk.conftest import LiveServer

TEMPLATES = Path(__file__).parents[1] / "fixtures" / "templates"
SUPPORTED = set(
    "View Header Style Text HyperText Image Paragraphs Audio AudioPlus Table List Choices Choice Labels Label "
    "TextArea Rating Number DateTime Taxonomy Pairwise Ranker Bucket RectangleLabels PolygonLabels KeyPointLabels "
    "Rectangle Polygon KeyPoint Relations Relation Filter Collapse Panel ParagraphLabels HyperTextLabels".split()
)
IMAGE = png_data_url(64, 48)


def _configs() -> list[tuple[str, str]]:
    out = []
    for path in sorted(TEMPLATES.glob("*/*/config.yml")):
        config = yaml.safe_load(path.read_text())["config"]
        if {el.tag for el in ET.fromstring(config).iter()} <= SUPPORTED:
            out.append((path.parent.name, config))
    return out


CONFIGS = _configs()


def _sample(value: Any) -> Any:
    """Sample data without fetches to other hosts: images inline, audio a same-origin path never preloaded."""
    if isinstance(value, str) and value.startswith("http"):
        return "/static/sample.wav" if value.endswith((".wav", ".mp3")) else IMAGE
    if isinstance(value, list):
        return [_sample(v) for v in value]
    if isinstance(value, dict):
        return {k: _sample(v) for k, v in value.items()}
    return value


LISTED_OPTIONS = {"Choices", "Labels", "RectangleLabels", "PolygonLabels", "KeyPointLabels", "Taxonomy"}


def sample_task(config: str) -> dict[str, Any]:
    data = {k: _sample(v) for k, v in LabelInterface(config).generate_sample_task().items()}
    for obj in LabelInterface(config).objects:
        if obj.tag == "List":
            data[obj.value_name] = [{"id": f"i{n}", "title": f"Item {n}", "body": f"Reply {n}"} for n in range(1, 4)]
    for el in ET.fromstring(config).iter():
        value = el.get("value") or ""
        if el.tag in LISTED_OPTIONS and value.startswith("$") and not isinstance(data.get(value[1:]), list):
            data[value[1:]] = [{"value": "Alpha"}, {"value": "Beta"}]  # options the task lists
        if el.tag == "Image" and (el.get("valueList") or "").startswith("$"):
            data[el.get("valueList")[1:]] = [IMAGE, IMAGE]
    return data


def targets(config: str) -> dict[str, tuple[str, str]]:
    """Control name -> (object tag, object name) of its first toName."""
    tree = ET.fromstring(config)
    objects = {el.get("name"): el.tag for el in tree.iter() if el.get("name") and not el.get("toName")}
    out = {}
    for el in tree.iter():
        if el.get("toName"):
            first = el.get("toName").split(",")[0]
            out[el.get("name")] = (objects.get(first, ""), first)
    return out


def draw_on_image(page: Page, kind: str) -> None:
    box = page.locator(".ed-image-overlay:visible").first.bounding_box()
    assert box is not None

    def at(px: float, py: float) -> tuple[float, float]:
        return box["x"] + box["width"] * px, box["y"] + box["height"] * py

    if kind == "polygonlabels":
        for point in ((0.2, 0.2), (0.6, 0.2), (0.6, 0.6), (0.2, 0.2)):
            page.mouse.click(*at(*point))
    elif kind == "keypointlabels":
        page.mouse.click(*at(0.3, 0.3))
    else:
        page.mouse.move(*at(0.2, 0.2))
        page.mouse.down()
        page.mouse.move(*at(0.6, 0.6), steps=4)
        page.mouse.up()


def answer_visible(page: Page) -> None:
    """Answer every visible control not answered yet, the way a person would."""
    for _ in range(2):  # a choice may reveal more controls (visibleWhen)
        for group in page.locator(".ed-choices:visible").all():
            if not group.locator("input:checked").count():
                group.locator("input").first.click()
        for rating in page.locator(".ed-rating:visible").all():
            if not rating.locator("[aria-checked='true']").count():
                rating.locator(".ed-star").last.click()
        for area in page.locator(".ed-textarea:visible").all():
            field = area.locator(".ed-textarea-input input, .ed-textarea-input textarea").first
            if field.is_enabled() and not area.locator("li").count():
                field.fill("some words")
                field.press("Enter")
        for number in page.locator(".ed-number:visible input").all():
            number.fill("1")
            number.press("Tab")
        for when in page.locator(".ed-datetime:visible input").all():
            kind = when.get_attribute("type")
            when.fill({"date": "2024-01-31", "time": "10:30", "month": "2024-01"}.get(kind or "", "2024-01-31T10:30"))
            when.press("Tab")
        for tax in page.locator(".ed-taxonomy:visible").all():
            if not tax.locator("input:checked").count():
                tax.locator("input[type=checkbox]:enabled").first.check()
        for pair in page.locator(".ed-pairwise:visible").all():
            if not pair.locator("[aria-pressed='true']").count():
                pair.locator(".ed-pair-left").click()
        for ranker in page.locator(".ed-ranker:visible").all():
            ranker.locator(".ed-rank-move button").nth(1).click()


def fill_in(page: Page, config: str) -> None:
    """One region per labels control (then its per-region answers), then the whole-task answers."""
    aims = targets(config)
    for labels in page.locator(".ed-labels:visible").all():
        tag, obj = aims.get(labels.get_attribute("aria-label") or "", ("", ""))
        labels.locator(".ed-label").first.click()
        if tag == "Text":
            drag_over_text(page, f".ed-text-content[data-object='{obj}']", 0, 2)
        elif tag == "HyperText":
            drag_over_text(page, f".ed-hypertext-content[data-object='{obj}']", 0, 2)
        elif tag == "Paragraphs":
            drag_over_text(page, f".ed-paragraphs[data-object='{obj}'] .ed-para-text", 0, 2)
        elif tag == "Image":
            draw_on_image(page, labels.get_attribute("data-type") or "")
        elif tag in ("Audio", "AudioPlus"):
            page.locator(f"[data-object='{obj}'] .ed-add-segment").click()
        labels.locator(".ed-label").first.click()  # label off again: presses select, not draw
        picks = page.locator(".ed-region-pick")
        if picks.count():
            picks.last.click()
            answer_visible(page)
            picks.last.click()  # deselect
    answer_visible(page)


@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=[n for n, _ in CONFIGS])
def test_template_renders_and_its_result_validates(page: Page, live_server: LiveServer, name: str, config: str) -> None:
    task = sample_task(config)
    pid, ids = make_project(live_server, config, [task, task])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-root")).to_be_visible()
    assert page.locator(".ed-unsupported").count() == 0
    fill_in(page, config)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[1]}")
    stored = annotations_of(live_server, ids[0])
    assert len(stored) == 1
    result = stored[0]["result"]
    assert result, "the filled-in task produced no result"
    # label_studio_sdk skips controls without a toName (a bare <Rating>), so it cannot judge their items
    free = {el.get("name") for el in ET.fromstring(config).iter() if el.get("name") and el.get("toName") is None}
    checked = [r for r in result if r.get("from_name") not in free]
    errors = LabelInterface(config).validate_prediction({"result": checked}, return_errors=True)
    assert errors in ([], True), errors


def test_enough_templates_are_covered() -> None:
    assert len(CONFIGS) >= 52
