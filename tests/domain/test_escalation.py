"""Which tasks ask for one more annotator: their least agreed categorical or numeric control under the threshold."""

from __future__ import annotations

from tessera.domain.agreement.escalation import lowest_agreement, wants_another
from tessera.domain.config import parse_config

CONFIG = parse_config(
    """<View><Text name="t" value="$t"/>
    <Choices name="c" toName="t"><Choice value="A"/><Choice value="B"/></Choices>
    <Rating name="r" toName="t"/><TextArea name="note" toName="t"/></View>"""
)


def _r(choice: str | None = None, rating: int | None = None, note: str | None = None) -> list[dict]:
    out = []
    if choice:
        out.append({"from_name": "c", "to_name": "t", "type": "choices", "value": {"choices": [choice]}})
    if rating:
        out.append({"from_name": "r", "to_name": "t", "type": "rating", "value": {"rating": rating}})
    if note:
        out.append({"from_name": "note", "to_name": "t", "type": "textarea", "value": {"text": [note]}})
    return out


def test_the_task_takes_its_least_agreed_control() -> None:
    assert lowest_agreement(CONFIG, [_r("A", 5), _r("A", 5), _r("A", 4)]) == 1 / 3  # ratings: 1 pair of 3
    assert lowest_agreement(CONFIG, [_r("A", note="x"), _r("A", note="y")]) == 1.0  # free text is not compared
    assert lowest_agreement(CONFIG, [_r("A"), _r(rating=3)]) is None  # nothing answered twice


def test_escalation_stops_at_the_limit_and_needs_two_answers() -> None:
    split = [_r("A"), _r("B")]
    assert wants_another(CONFIG, split, 0.5, extra=0, max_extra=1)
    assert not wants_another(CONFIG, split, 0.5, extra=1, max_extra=1)
    assert not wants_another(CONFIG, split, None, extra=0, max_extra=3)
    assert not wants_another(CONFIG, [_r("A")], 0.9, extra=0, max_extra=3)
    assert not wants_another(CONFIG, [_r("A"), _r("A")], 0.9, extra=0, max_extra=3)
