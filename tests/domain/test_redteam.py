"""Red-teaming setup and counts (`domain.redteam`), on Label Studio's own red-teaming template."""

from __future__ import annotations

import pytest
from tests.domain.config.lsconfig_files import TEMPLATES, template_xml

from tessera.domain.config import parse_config
from tessera.domain.errors import InvalidInput
from tessera.domain.preference_rows import judgement_controls
from tessera.domain.preferences import comparison_controls
from tessera.domain.redteam import RedTeamCounts, detect_setup

RED_TEAM = TEMPLATES / "chat" / "chat_red_team" / "config.yml"


def choice(name: str, *values: str) -> dict:
    return {"from_name": name, "to_name": "chat", "type": "choices", "value": {"choices": list(values)}}


def test_defaults_from_label_studios_red_team_template() -> None:
    config = parse_config(template_xml(RED_TEAM))
    setup = detect_setup(config)
    assert setup.success == "assistant_outcome"
    assert setup.success_values == {"Compliant", "Policy Violation"}
    assert setup.category == "user_jailbreak_tactic"
    assert comparison_controls(config) == [] and judgement_controls(config) == []


def test_named_controls_and_values() -> None:
    config = parse_config(template_xml(RED_TEAM))
    setup = detect_setup(config, success="user_risk", success_values=["3 - Clear risk"], category="assistant_outcome")
    assert (setup.success, setup.success_values, setup.category) == (
        "user_risk",
        {"3 - Clear risk"},
        "assistant_outcome",
    )
    with pytest.raises(InvalidInput, match="category control 'nope' is not a control"):
        detect_setup(config, category="nope")
    with pytest.raises(InvalidInput, match="success control 'instructions'"):
        detect_setup(config, success="instructions")


def test_no_success_control_is_a_clear_error() -> None:
    config = parse_config(
        '<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="A"/></Choices></View>'
    )
    with pytest.raises(InvalidInput, match="no success control found"):
        detect_setup(config)
    with pytest.raises(InvalidInput, match="no success value found"):
        detect_setup(config, success="c")


def test_rates_by_category_model_and_annotator() -> None:
    config = parse_config(template_xml(RED_TEAM))
    counts = RedTeamCounts(detect_setup(config))
    counts.add(
        {"model": "m1"}, [choice("assistant_outcome", "Compliant"), choice("user_jailbreak_tactic", "Role play")], 1
    )
    counts.add(
        {"model": "m1"},
        [choice("assistant_outcome", "Safe-refusal"), choice("user_jailbreak_tactic", "Role play", "Obfuscated")],
        2,
    )
    counts.add({"model_name": "m2"}, [choice("assistant_outcome", "Policy Violation")], 2)
    counts.add({}, [choice("user_risk", "0 - Benign")], 1)  # no outcome: unjudged
    assert counts.overall.as_dict() == {"attempts": 3, "successes": 2, "rate": 0.6667}
    assert counts.unjudged == 1
    assert counts.by_category["Role play"].as_dict() == {"attempts": 2, "successes": 1, "rate": 0.5}
    assert counts.by_category["(none)"].successes == 1
    assert counts.by_model["m1"].as_dict()["rate"] == 0.5 and counts.by_model["m2"].successes == 1
    assert counts.by_annotator[2].as_dict() == {"attempts": 2, "successes": 1, "rate": 0.5}
