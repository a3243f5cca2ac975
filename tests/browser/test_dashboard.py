"""The project dashboard: charts drawn as SVG with their numbers in text, reached from the data manager;
the preference and red-team reports shown for projects they fit; annotators kept out."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, sign_in
from tests.browser.labeling_support import make_project
from tests.sdk.conftest import LiveServer

CONFIG = """<View><Text name="text" value="$text"/>
<Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>"""
PAIRWISE = """<View><Text name="a" value="$a"/><Text name="b" value="$b"/><Pairwise name="pick" toName="a,b"/></View>"""
REDTEAM = """<View><Text name="attack" value="$attack"/>
<Choices name="category" toName="attack"><Choice value="Role play"/><Choice value="Obfuscation"/></Choices>
<Choices name="outcome" toName="attack"><Choice value="Refused"/><Choice value="Jailbroken"/></Choices></View>"""


def choice(control: str, value: str, to: str = "text") -> dict[str, Any]:
    return {"from_name": control, "to_name": to, "type": "choices", "value": {"choices": [value]}}


def annotate(server: LiveServer, task: int, result: list[Any], token: str | None = None, **extra: Any) -> None:
    with server.http(token) as c:
        r = c.post(f"/api/tasks/{task}/annotations", json={"result": result, **extra})
        assert r.status_code == 201, r.text


def join(server: LiveServer, project: int, email: str, role: str) -> None:
    with server.http() as c:
        r = c.post(f"/api/projects/{project}/members", json={"user": email, "role": role})
        assert r.status_code in (200, 201), r.text


def rows(page: Page, chart: str) -> list[list[str]]:
    """The chart's numbers table, row by row (header cell first)."""
    cells = page.locator(f"#{chart} table.chart-data tbody tr")
    return [[c.strip() for c in row.locator("th, td").all_text_contents()] for row in cells.all()]


def open_dashboard(page: Page, project: int) -> None:
    page.goto(f"/projects/{project}/dashboard")
    page.wait_for_selector("#dashboard[data-ready='1']")


def test_charts_show_the_projects_numbers(page: Page, live_server: LiveServer) -> None:
    project, tasks = make_project(live_server, CONFIG, [{"text": f"t{i}"} for i in range(3)], maximum_annotations=2)
    helper = live_server.create_user_with_token("dash-helper@example.com")
    join(live_server, project, "dash-helper@example.com", "annotator")
    annotate(live_server, tasks[0], [choice("sentiment", "Positive")], lead_time=4)
    annotate(live_server, tasks[0], [choice("sentiment", "Positive")], helper, lead_time=20)
    annotate(live_server, tasks[1], [choice("sentiment", "Negative")], helper, lead_time=75)
    annotate(live_server, tasks[2], [], helper, was_cancelled=True)

    sign_in(page)
    page.goto(f"/projects/{project}")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_selector("#dashboard[data-ready='1']")
    expect(page.locator("#totals")).to_contain_text("Annotations3")
    expect(page.locator("#totals")).to_contain_text("Labeled tasks1")

    per_day = rows(page, "chart-per-day")
    assert len(per_day) == 1 and per_day[0][1:] == ["3", "1"]
    assert rows(page, "chart-completed")[0][1:] == ["1"]
    assert rows(page, "chart-labels-sentiment") == [["Positive", "2"], ["Negative", "1"]]
    lead = dict(map(tuple, rows(page, "chart-lead-times")))
    assert list(lead) == ["0–5s", "5–10s", "10–30s", "30s–1m", "1–2m", "2–5m", "5–10m", "10–30m", "30m–1h", "≥1h"]
    assert lead["0–5s"] == "1" and lead["10–30s"] == "1" and lead["1–2m"] == "1" and lead["≥1h"] == "0"
    assert rows(page, "chart-annotators") == [["dash-helper@example.com", "2"], ["admin@example.com", "1"]]
    helper_row = page.locator("#annotator-table tbody tr", has_text="dash-helper@example.com")
    expect(helper_row).to_contain_text("33.3%")  # one skip in three
    expect(helper_row).to_contain_text("47.5 s")  # median and mean of 20 and 75

    svg = page.locator("#chart-labels-sentiment svg")
    expect(svg).to_have_attribute("aria-label", "sentiment (Choices): values chosen. Positive: 2; Negative: 1")
    expect(svg.locator("rect.bar")).to_have_count(2)
    expect(page.locator("#chart-per-day svg polyline")).to_have_count(2)
    expect(page.locator("#chart-agreement figcaption")).to_contain_text("1 tasks compared")
    assert rows(page, "chart-agreement")[0][1] == "1.00"
    expect(page.locator("#chart-reviews")).to_be_visible()
    expect(page.locator("#preferences-section")).to_be_hidden()
    expect(page.locator("#redteam-section")).to_be_hidden()


def test_comparison_and_red_team_projects_show_their_reports(page: Page, live_server: LiveServer) -> None:
    pairs, pair_tasks = make_project(live_server, PAIRWISE, [{"a": "x", "b": "y"}, {"a": "p", "b": "q"}])
    for task, side in zip(pair_tasks, ["left", "left"], strict=True):
        annotate(
            live_server, task, [{"from_name": "pick", "to_name": "a", "type": "pairwise", "value": {"selected": side}}]
        )
    attacks, attack_tasks = make_project(live_server, REDTEAM, [{"attack": "a"}, {"attack": "b"}])
    annotate(
        live_server,
        attack_tasks[0],
        [choice("category", "Role play", "attack"), choice("outcome", "Jailbroken", "attack")],
    )
    annotate(
        live_server,
        attack_tasks[1],
        [choice("category", "Obfuscation", "attack"), choice("outcome", "Refused", "attack")],
    )

    sign_in(page)
    open_dashboard(page, pairs)
    expect(page.locator("#preferences-section")).to_be_visible()
    assert rows(page, "chart-position-pick")[:2] == [["first", "2"], ["second", "0"]]
    assert rows(page, "chart-labels-pick") == [["left", "2"]]

    open_dashboard(page, attacks)
    expect(page.locator("#redteam-section")).to_be_visible()
    assert rows(page, "chart-redteam-category") == [["Obfuscation", "0.0%"], ["Role play", "100.0%"]]


def test_annotators_do_not_get_the_page(page: Page, live_server: LiveServer, console: Console) -> None:
    project, _tasks = make_project(live_server, CONFIG, [{"text": "t"}])
    live_server.create_user_with_token("dash-annotator@example.com", password="annotator-password-1")
    join(live_server, project, "dash-annotator@example.com", "annotator")
    sign_in(page, "dash-annotator@example.com", "annotator-password-1")
    response = page.goto(f"/projects/{project}/dashboard")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_have_text("Your role in this project does not show this page.")
    assert page.locator("#dashboard").count() == 0
    errors = console.expect_errors()  # the browser reports the page's own 403, and nothing else
    assert len(errors) == 1 and "status of 403" in errors[0] and errors[0].endswith(f"/projects/{project}/dashboard)")
