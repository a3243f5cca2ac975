"""Speed, measured in the browser: the labeling page is interactive within 1 s on a 10,000-character text and
on a 4000×3000 image with 200 boxes; the next task shows within 200 ms. The figures are printed (-s)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.labeling_support import make_project, open_task, png_data_url
from tests.sdk.conftest import LiveServer


def _ready_ms(page: Page) -> float:
    return page.evaluate("() => performance.getEntriesByName('tessera:ready')[0].startTime")


def test_long_text_is_interactive_within_a_second(page: Page, live_server: LiveServer) -> None:
    config = """<View><Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
      <Text name="text" value="$text"/></View>"""
    text = ("Ada Lovelace wrote notes on the Analytical Engine. 😀 " * 200)[:10_000]
    spans = [
        {"id": f"s{i}", "from_name": "ner", "to_name": "text", "type": "labels",
         "value": {"start": i * 50, "end": i * 50 + 12, "text": text[i * 50 : i * 50 + 12], "labels": ["PER"]}}
        for i in range(100)
    ]  # fmt: skip
    pid, ids = make_project(live_server, config, [{"data": {"text": text}, "predictions": [{"result": spans}]}])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-span")).to_have_count(100)
    ready = _ready_ms(page)
    print(f"\n10,000-character text with 100 spans: interactive {ready:.0f} ms after navigation start")
    assert ready < 1000


def test_big_image_with_200_boxes_and_next_task(page: Page, live_server: LiveServer) -> None:
    config = """<View><Image name="image" value="$image"/>
      <RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels></View>"""
    image = png_data_url(4000, 3000)
    boxes = [
        {"id": f"b{i}", "from_name": "box", "to_name": "image", "type": "rectanglelabels",
         "original_width": 4000, "original_height": 3000,
         "value": {"x": (i % 20) * 5, "y": (i // 20) * 10, "width": 4, "height": 8, "rotation": 0,
                   "rectanglelabels": ["Car"]}}
        for i in range(200)
    ]  # fmt: skip
    task = {"data": {"image": image}, "predictions": [{"result": boxes}]}
    pid, ids = make_project(live_server, config, [task, task, task])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-image-overlay rect.ed-shape")).to_have_count(200)
    expect(page.locator(".ed-image-img")).to_have_js_property("naturalWidth", 4000)
    ready = _ready_ms(page)
    drawn = page.evaluate("() => performance.now()")
    print(f"\n4000×3000 image, 200 boxes: interactive {ready:.0f} ms; image decoded and boxes drawn by {drawn:.0f} ms")
    assert ready < 1000

    timings = []
    for task_id in ids[:2]:
        page.locator("#lab-submit").click()
        expect(page.locator("#lab-task")).not_to_have_text(f"Task #{task_id}")
        timings.append(page.evaluate("() => performance.getEntriesByName('tessera:next-task').at(-1).duration"))
    print(f"next task (claim + show, 200 boxes): {', '.join(f'{t:.0f} ms' for t in timings)}")
    assert max(timings) < 200
