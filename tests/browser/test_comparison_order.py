"""Compared replies are shown in an order shuffled per task and annotator; the result stays in the config's
terms whatever the screen showed, and the order shown is stored with the annotation (`presentation`)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

import tessera
from tests.browser.labeling_support import annotations_of, make_project, open_task
from tests.sdk.conftest import LiveServer

GALLERY = Path(tessera.__file__).parent / "web" / "gallery"
PAIRWISE = """<View><Text name="prompt" value="$prompt"/>
  <View style="display: flex"><Text name="a" value="$a"/><Text name="b" value="$b"/></View>
  <Pairwise name="pw" toName="a,b"/></View>"""


def shown_pair(page: Page) -> list[str]:
    """The two replies in screen order, left first."""
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-object='a'], [data-object='b']")]
                 .sort((x, y) => x.getBoundingClientRect().left - y.getBoundingClientRect().left)
                 .map((el) => el.dataset.object)"""
    )


def test_the_left_button_picks_what_is_shown_on_the_left(page: Page, live_server: LiveServer) -> None:
    tasks = [{"prompt": f"Question {i}", "a": f"reply A{i}", "b": f"reply B{i}"} for i in range(4)]
    pid, ids = make_project(live_server, PAIRWISE, tasks)
    for task_id in ids:
        open_task(page, pid, task_id)
        shown = shown_pair(page)
        page.reload()  # the order is stable for this task and annotator
        page.wait_for_selector("#labeling[data-ready='1']")
        assert shown_pair(page) == shown
        page.get_by_role("button", name="Left is better").click()
        expect(page.get_by_role("button", name="Left is better")).to_have_attribute("aria-pressed", "true")
        page.get_by_role("button", name="Submit").click()
        expect(page.locator("#lab-task")).not_to_have_text(f"Task #{task_id}")
        ann = annotations_of(live_server, task_id)[0]
        assert ann["presentation"] == {"pw": shown}
        assert ann["result"][0]["value"] == {"selected": "left" if shown[0] == "a" else "right"}


def test_the_shuffle_is_stable_per_seed_and_unbiased(page: Page, live_server: LiveServer) -> None:
    open_task(page, make_project(live_server, PAIRWISE, [{"prompt": "p", "a": "x", "b": "y"}])[0])
    counts = page.evaluate(
        """async () => {
          const { seededShuffle } = await import("/static/editor/order.js");
          let swapped = 0, firstOfThree = {r1: 0, r2: 0, r3: 0}, stable = true;
          for (let i = 0; i < 600; i++) {
            if (seededShuffle(["a", "b"], `${i}:7:pw`)[0] === "b") swapped++;
            firstOfThree[seededShuffle(["r1", "r2", "r3"], `${i}:7:rank`)[0]]++;
            const again = seededShuffle(["a", "b", "c"], `s${i}`).join();
            stable &&= seededShuffle(["a", "b", "c"], `s${i}`).join() === again;
          }
          return { swapped, firstOfThree, stable };
        }"""
    )
    assert counts["stable"]
    assert 240 <= counts["swapped"] <= 360, counts  # about half of 600 (±5 standard deviations)
    assert all(150 <= n <= 250 for n in counts["firstOfThree"].values()), counts


def test_ranker_items_start_in_the_recorded_order(page: Page, live_server: LiveServer) -> None:
    config = """<View><List name="items" value="$items"/><Ranker name="rank" toName="items"/></View>"""
    items = [{"id": f"r{i}", "title": f"Reply {i}"} for i in range(1, 6)]
    pid, ids = make_project(live_server, config, [{"items": items}])
    open_task(page, pid, ids[0])
    shown = page.locator(".ed-rank-card").evaluate_all("(cards) => cards.map((c) => c.dataset.item)")
    assert sorted(shown) == [f"r{i}" for i in range(1, 6)]
    page.get_by_role("button", name=f"Move {shown[0]} down").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")
    ann = annotations_of(live_server, ids[0])[0]
    assert ann["presentation"] == {"rank": shown}
    assert ann["result"][0]["value"]["ranker"]["rank"] == [shown[1], shown[0], *shown[2:]]


def test_gallery_pairwise_template_prefills_the_better_reply(page: Page, live_server: LiveServer) -> None:
    config = (GALLERY / "pairwise-preference.xml").read_text()
    task = {"prompt": "Capital of France?", "reply_a": "Paris.", "reply_b": "Lyon, I think."}
    pid, ids = make_project(live_server, config, [task])
    open_task(page, pid, ids[0])
    shown = page.evaluate(
        """() => [...document.querySelectorAll("[data-object='reply_a'], [data-object='reply_b']")]
                 .sort((x, y) => x.getBoundingClientRect().left - y.getBoundingClientRect().left)
                 .map((el) => el.dataset.object)"""
    )
    page.get_by_role("button", name="Right is better").click()
    better = page.get_by_label("better_reply")
    expect(better).to_have_value(task[shown[1]])
    better.fill(task[shown[1]] + " Definitely.")
    better.press("Enter")
    page.get_by_label("rationale").fill("more accurate")
    page.get_by_label("rationale").press("Enter")
    page.locator(".ed-choice", has_text="Much better").locator("input").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{ids[0]}")
    ann = annotations_of(live_server, ids[0])[0]
    values = {item["from_name"]: item["value"] for item in ann["result"]}
    assert values["preference"] == {"selected": "left" if shown[1] == "reply_a" else "right"}
    assert values["better_reply"] == {"text": [task[shown[1]] + " Definitely."]}
    assert values["strength"] == {"choices": ["Much better"]} and values["rationale"] == {"text": ["more accurate"]}
    assert ann["presentation"] == {"preference": shown}


def test_a_reply_trades_places_together_with_its_ratings(page: Page, live_server: LiveServer) -> None:
    config = (GALLERY / "compare-on-criteria.xml").read_text()
    task = {"prompt": "Store passwords?", "reply_a": "Hash them with argon2id.", "reply_b": "In a table."}
    pid, ids = make_project(live_server, config, [task])
    with live_server.http() as http:  # an earlier annotation of this annotator recorded b on the left
        body = {"result": [], "presentation": {"preference": ["reply_b", "reply_a"]}}
        assert http.post(f"/api/tasks/{ids[0]}/annotations", json=body).status_code == 201
    open_task(page, pid, ids[0])
    left = page.evaluate(
        """() => Object.fromEntries(["reply_a", "reply_b", "helpfulness_reply_a", "helpfulness_reply_b"].map((n) => {
             const el = document.querySelector(`[data-object='${n}'], [data-control='${n}']`);
             return [n, el.getBoundingClientRect().left];
           }))"""
    )
    assert left["reply_b"] < left["reply_a"] and left["helpfulness_reply_b"] < left["helpfulness_reply_a"]
    assert abs(left["reply_b"] - left["helpfulness_reply_b"]) < 50  # the ratings stay under their reply
    page.locator("[data-control='helpfulness_reply_b'] .ed-star").nth(4).click()
    page.get_by_role("button", name="Left is better").click()
    page.locator("#lab-submit").click()
    expect(page.locator("#labeling")).not_to_have_attribute("data-task-id", str(ids[0]))
    ann = annotations_of(live_server, ids[0])[0]
    values = {r["from_name"]: r["value"] for r in ann["result"]}
    assert values == {"helpfulness_reply_b": {"rating": 5}, "preference": {"selected": "right"}}
    assert ann["presentation"] == {"preference": ["reply_b", "reply_a"]}
