"""Controls and conditions: visibleWhen on a choice, taxonomy search and paths, rating and number, a tag the
editor cannot draw shown as a placeholder while the rest works, the hotkey overlay."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, make_project, open_task
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Video name="video" value="$video"/>
  <Choices name="toxic" toName="text"><Choice value="Toxic"/><Choice value="Fine"/></Choices>
  <View visibleWhen="choice-selected" whenTagName="toxic" whenChoiceValue="Toxic">
    <Taxonomy name="harm" toName="text">
      <Choice value="Violence"><Choice value="Threat"/><Choice value="Gore"/></Choice>
      <Choice value="Hate"/>
    </Taxonomy>
    <Rating name="severity" toName="text" maxRating="4" required="true" requiredMessage="Rate the severity"/>
  </View>
  <Number name="count" toName="text" min="0" max="10"/>
</View>"""


def test_conditions_taxonomy_rating_placeholder_and_help(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(
        live_server, CONFIG, [{"text": "some text", "video": "/v.mp4"}, {"text": "more", "video": "/v.mp4"}]
    )
    open_task(page, pid, ids[0])
    expect(page.locator(".ed-unsupported")).to_contain_text("<Video>")
    expect(page.locator(".ed-taxonomy")).to_be_hidden()
    page.keyboard.press("1")  # Toxic
    expect(page.locator(".ed-taxonomy")).to_be_visible()
    page.get_by_label("Search harm").fill("thr")
    expect(page.get_by_text("Gore")).to_be_hidden()
    page.locator(".ed-taxonomy label", has_text="Threat").locator("input").check()
    page.locator("#lab-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Rate the severity")
    page.get_by_role("radio", name="3 of 4").click()
    page.get_by_label("count").fill("7")
    page.get_by_label("count").press("Tab")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text("toxic: Toxic")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.locator("#lab-submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")
    values = {r["from_name"]: r["value"] for r in annotations_of(live_server, ids[0])[0]["result"]}
    assert values == {
        "toxic": {"choices": ["Toxic"]},
        "harm": {"taxonomy": [["Violence", "Threat"]]},
        "severity": {"rating": 3},
        "count": {"number": 7},
    }
