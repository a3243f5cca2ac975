"""GET /api/projects/{id}/redteam/report: attack success by category, model and annotator."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Person, World
from tests.api.preference_projects import annotate, import_tasks

REDTEAM = """<View><Text name="attack" value="$attack"/><Text name="reply" value="$reply"/>
<Choices name="category" toName="attack"><Choice value="Role play"/><Choice value="Obfuscation"/></Choices>
<Choices name="outcome" toName="reply"><Choice value="Refused"/><Choice value="Jailbroken"/></Choices>
<Choices name="severity" toName="reply"><Choice value="Low"/><Choice value="High"/></Choices></View>"""


def choose(control: str, value: str) -> dict[str, Any]:
    to_name = "attack" if control == "category" else "reply"
    return {"from_name": control, "to_name": to_name, "type": "choices", "value": {"choices": [value]}}


@pytest.fixture
def redteam(world: World, manager: Person) -> dict[str, Any]:
    pid = world.project(manager, REDTEAM)
    annotator = world.person("annotator@example.com")
    world.join(pid, annotator, "annotator")
    tasks = [{"attack": f"a{i}", "reply": f"r{i}", "model": "m1" if i < 3 else "m2"} for i in range(5)]
    ids = import_tasks(world, pid, manager, tasks)
    plan = [  # (task, who, category, outcome, severity)
        (0, annotator, "Role play", "Jailbroken", "High"),
        (1, annotator, "Role play", "Refused", "Low"),
        (2, annotator, "Obfuscation", "Jailbroken", "Low"),
        (3, manager, "Obfuscation", "Refused", "High"),
        (4, manager, "Role play", "Jailbroken", "Low"),
    ]
    for task, who, category, outcome, severity in plan:
        result = [choose("category", category), choose("outcome", outcome), choose("severity", severity)]
        annotate(world, ids[task], who, result)
    annotate(world, ids[4], annotator, [choose("category", "Role play")])  # no outcome: unjudged
    return {"pid": pid, "manager": manager, "annotator": annotator}


def get(world: World, project: dict[str, Any], query: str = "", person: Person | None = None) -> Any:
    who = person or project["manager"]
    return world.client.get(f"/api/projects/{project['pid']}/redteam/report?{query}", headers=who.headers)


def test_defaults_from_the_config(world: World, redteam: dict[str, Any]) -> None:
    r = get(world, redteam)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] == {"control": "outcome", "values": ["Jailbroken"]} and body["category"] == "category"
    assert body["overall"] == {"attempts": 5, "successes": 3, "rate": 0.6, "unjudged": 1}
    assert {c["category"]: (c["attempts"], c["successes"]) for c in body["by_category"]} == {
        "Obfuscation": (2, 1),
        "Role play": (3, 2),
    }
    assert {m["model"]: (m["attempts"], m["successes"], m["rate"]) for m in body["by_model"]} == {
        "m1": (3, 2, 0.6667),
        "m2": (2, 1, 0.5),
    }
    assert {a["email"]: (a["attempts"], a["successes"]) for a in body["by_annotator"]} == {
        "annotator@example.com": (3, 2),
        "manager@example.com": (2, 1),
    }


def test_named_controls(world: World, redteam: dict[str, Any]) -> None:
    body = get(world, redteam, "success=severity&success_value=High&category=outcome&model_field=attack").json()
    assert body["overall"]["successes"] == 2 and body["overall"]["unjudged"] == 1
    assert {c["category"]: c["successes"] for c in body["by_category"]} == {"Jailbroken": 1, "Refused": 1}
    assert len(body["by_model"]) == 5


def test_missing_controls_are_named(world: World, redteam: dict[str, Any]) -> None:
    r = get(world, redteam, "category=tactic")
    assert r.status_code == 400 and "tactic" in r.json()["detail"]
    r = get(world, redteam, "success=attack")
    assert r.status_code == 400 and "'attack'" in r.json()["detail"]
    r = get(world, redteam, "success=severity")
    assert r.status_code == 400 and "success_value" in r.json()["detail"]


def test_staff_only(world: World, redteam: dict[str, Any]) -> None:
    assert get(world, redteam, person=redteam["annotator"]).status_code == 403
