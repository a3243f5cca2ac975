"""Boxes, polygons and key points on an image: drawn with the mouse, stored in percent of the image with its
natural size; moved and resized; zoom does not change the stored geometry."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, make_project, open_task, png_data_url
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Cat"/><Label value="Dog"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Tree"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="Eye"/></KeyPointLabels>
</View>"""


def image_point(page: Page, px: float, py: float) -> tuple[float, float]:
    """Screen position of (px %, py %) of the shown image."""
    box = page.locator(".ed-image-overlay").bounding_box()
    assert box is not None
    return box["x"] + box["width"] * px / 100, box["y"] + box["height"] * py / 100


def drag(page: Page, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, steps=4)
    page.mouse.move(*b, steps=4)
    page.mouse.up()


def test_draw_box_polygon_and_point(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"image": png_data_url(400, 300)}, {"image": png_data_url(10, 10)}])
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-image-img")).to_have_js_property("naturalWidth", 400)
    page.locator(".ed-label", has_text="Cat").click()
    drag(page, image_point(page, 10, 20), image_point(page, 50, 60))
    page.locator(".ed-label", has_text="Tree").click()
    for x, y in ((60, 10), (90, 10), (90, 50)):
        page.mouse.click(*image_point(page, x, y))
    page.mouse.click(*image_point(page, 60, 10))  # back on the first point closes it
    page.locator(".ed-label", has_text="Eye").click()
    page.mouse.click(*image_point(page, 25, 80))
    expect(page.locator(".ed-region")).to_have_count(3)

    # move the box by 10 % to the right, then make it smaller from its bottom-right corner
    page.locator(".ed-label", has_text="Eye").click()  # no tool active: presses select and move
    page.locator(".ed-region-pick", has_text="Cat").click()
    drag(page, image_point(page, 30, 40), image_point(page, 40, 40))
    drag(page, image_point(page, 60, 60), image_point(page, 55, 50))
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")

    result = {r["type"]: r for r in annotations_of(live_server, ids[0])[0]["result"]}
    box = result["rectanglelabels"]
    assert (box["original_width"], box["original_height"]) == (400, 300)
    v = box["value"]
    assert v["rectanglelabels"] == ["Cat"]
    for key, want in (("x", 20), ("y", 20), ("width", 35), ("height", 30)):
        assert abs(v[key] - want) < 1.0, (key, v)
    poly = result["polygonlabels"]["value"]
    assert poly["closed"] is True and poly["polygonlabels"] == ["Tree"]
    for (x, y), (wx, wy) in zip(poly["points"], ((60, 10), (90, 10), (90, 50)), strict=True):
        assert abs(x - wx) < 1 and abs(y - wy) < 1
    kp = result["keypointlabels"]["value"]
    assert abs(kp["x"] - 25) < 1 and abs(kp["y"] - 80) < 1 and kp["keypointlabels"] == ["Eye"]
