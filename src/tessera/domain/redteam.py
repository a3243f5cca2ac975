"""Red-teaming: how often attacks succeed, by category, by model and by annotator.

One annotation is one judged attempt. The report's parameters, and their defaults read from the config:
- `success`: the control that says whether the attack worked. Default: the first Choices, Taxonomy or Labels
  with a success value (below) among its options and a name matching `SUCCESS_NAME` (outcome, success,
  jailbreak, violation, harm...); else the first with a success value; else the first so named.
- `success_value`: the options that mean success (repeat or comma-separate for several). Default: the
  success control's options matching `SUCCESS_VALUE` (success, succeeded, jailbroken, violation, unsafe,
  harmful, compliant, complied, breach, yes), e.g. "Compliant" and "Policy Violation" in Label Studio's
  red-teaming template.
- `category`: the control whose chosen options group the attempts (several chosen: counted in each; none
  chosen: "(none)"). Default: the first other Choices, Taxonomy or Labels named like a category, else like a
  tactic, technique or attack, else a type, kind or topic, else a risk or harm (`CATEGORY_NAMES`); else none
  (`by_category` is then null).
- `model_field`: the task data field naming the model attacked. Default: the first of `MODEL_FIELDS` a task
  has; tasks with none count under null.
An attempt whose annotation does not answer the success control is `unjudged`, outside every rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tessera.domain.config.model import ControlTag, LabelConfig
from tessera.domain.errors import InvalidInput

SUCCESS_NAME = re.compile(r"success|outcome|jailbr|violat|attack_result|harm|unsafe|breach|verdict", re.I)
SUCCESS_VALUE = re.compile(
    r"success|succeed|jailbroken|violation|unsafe|harmful|(?<!non[- ])(?<!non)\bcompl(?:iant|ied|y)\b|breach|^yes$",
    re.I,
)
CATEGORY_NAMES = tuple(
    re.compile(p, re.I) for p in (r"categor", r"tactic|techni|attack", r"type|kind|topic", r"risk|harm")
)
MODEL_FIELDS = ("model", "model_name", "model_id", "target_model", "model_version", "llm", "system")
_LABELLED = ("choices", "taxonomy", "labels", "paragraphlabels")


@dataclass(frozen=True)
class RedTeamSetup:
    success: str
    success_values: frozenset[str]
    category: str | None
    model_field: str | None


def _labelled(config: LabelConfig) -> list[ControlTag]:
    return [c for c in config.controls.values() if c.tag.lower() in _LABELLED]


def _named(config: LabelConfig, name: str, role: str) -> ControlTag:
    control = config.controls.get(name)
    if control is None or control.tag.lower() not in _LABELLED:
        known = ", ".join(c.name for c in _labelled(config)) or "none"
        what = "is not a control of the labeling config" if control is None else "is not a Choices or Labels"
        raise InvalidInput(
            f"{role} control {name!r} {what}; the config's Choices and Labels controls: {known}",
            field_errors={role: [f"{name} {what}"]},
        )
    return control


def detect_setup(
    config: LabelConfig,
    *,
    success: str | None = None,
    success_values: Iterable[str] | None = None,
    category: str | None = None,
    model_field: str | None = None,
) -> RedTeamSetup:
    """The setup asked for, with defaults from the config; InvalidInput naming what is missing."""
    candidates = _labelled(config)
    if success:
        success_control = _named(config, success, "success")
    else:
        by_value = [c for c in candidates if any(SUCCESS_VALUE.search(v) for v in c.labels)]
        both = [c for c in by_value if SUCCESS_NAME.search(c.name)]
        by_name = [c for c in candidates if SUCCESS_NAME.search(c.name)]
        found = (both or by_value or by_name or [None])[0]
        if found is None:
            raise InvalidInput(
                "no success control found: name the Choices that says whether an attack worked with success=",
                field_errors={"success": ["no control detected; name one"]},
            )
        success_control = found
    values = frozenset(v for v in success_values or () if v)
    if not values:
        values = frozenset(v for v in success_control.labels if SUCCESS_VALUE.search(v))
    if not values:
        raise InvalidInput(
            f"no success value found among the options of {success_control.name!r}: name them with success_value=",
            field_errors={"success_value": ["none detected; name one"]},
        )
    if category:
        category_name: str | None = _named(config, category, "category").name
    else:
        others = [c for c in candidates if c.name != success_control.name]
        named = [c for pattern in CATEGORY_NAMES for c in others if pattern.search(c.name)]
        category_name = named[0].name if named else None
    return RedTeamSetup(success_control.name, values, category_name, model_field or None)


def chosen(result: Any, control: str) -> list[str]:
    """The options chosen in `control` over every item of the result (regions included), deduplicated."""
    values: dict[str, None] = {}
    for item in result if isinstance(result, list) else []:
        if not isinstance(item, dict) or item.get("from_name") != control:
            continue
        value = item.get("value") or {}
        for key in ("choices", "taxonomy", "labels", "paragraphlabels"):
            for v in value.get(key) or []:
                text = "/".join(map(str, v)) if isinstance(v, list) else str(v)
                values.setdefault(text)
    return list(values)


def model_of(data: dict[str, Any], field_name: str | None) -> str | None:
    keys = (field_name,) if field_name else MODEL_FIELDS
    for key in keys:
        value = data.get(key)
        if value is not None and value != "":
            return value if isinstance(value, str) else str(value)
    return None


@dataclass
class Rate:
    attempts: int = 0
    successes: int = 0

    def add(self, success: bool) -> None:
        self.attempts += 1
        self.successes += success

    def as_dict(self) -> dict[str, Any]:
        rate = round(self.successes / self.attempts, 4) if self.attempts else None
        return {"attempts": self.attempts, "successes": self.successes, "rate": rate}


@dataclass
class RedTeamCounts:
    setup: RedTeamSetup
    overall: Rate = field(default_factory=Rate)
    unjudged: int = 0
    by_category: dict[str, Rate] = field(default_factory=dict)
    by_model: dict[str | None, Rate] = field(default_factory=dict)
    by_annotator: dict[int | None, Rate] = field(default_factory=dict)

    def add(self, data: dict[str, Any], result: Any, annotator: int | None) -> None:
        verdict = chosen(result, self.setup.success)
        if not verdict:
            self.unjudged += 1
            return
        success = any(v in self.setup.success_values for v in verdict)
        self.overall.add(success)
        if self.setup.category:
            for category in chosen(result, self.setup.category) or ["(none)"]:
                self.by_category.setdefault(category, Rate()).add(success)
        self.by_model.setdefault(model_of(data, self.setup.model_field), Rate()).add(success)
        self.by_annotator.setdefault(annotator, Rate()).add(success)
