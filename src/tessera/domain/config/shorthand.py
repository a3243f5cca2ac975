"""`expand_prediction_shorthand`: the short forms Label Studio accepts for a prediction's `result`.

- a list: full result items, returned as they are;
- a dict: the `value` of one item, for the first control (in config order) whose result type, or the key
  that holds its answer, is a key of the dict: `{"choices": ["A"]}` -> a Choices item;
- a bare string or number: the answer of the first single-valued control that can hold it:
  Choices (`{"choices": [v]}`) or TextArea (`{"text": [v]}`) for a string, Rating (`{"rating": v}`) or
  Number (`{"number": v}`) for an integer, Number for a float.

Label Studio itself (`Prediction.prepare_prediction_result`) wraps every bare value as `{<type>: [v]}`,
which gives TextArea a `textarea` key and Rating a list; Tessera writes the shapes the editor reads.
"""

from __future__ import annotations

import secrets
from typing import Any

from tessera.domain.config.model import ControlTag, LabelConfig
from tessera.domain.errors import ResultError

_TEXT_TYPES = ("choices", "textarea")
_INT_TYPES = ("rating", "number")
_TAGS = {"choices": "Choices", "textarea": "TextArea", "rating": "Rating", "number": "Number"}


def _item(control: ControlTag, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": secrets.token_urlsafe(8)[:10],
        "from_name": control.name,
        "to_name": ",".join(control.to_names),
        "type": control.result_type,
        "value": value,
    }


def _bare_value(control: ControlTag, value: Any) -> dict[str, Any]:
    if control.result_type == "choices":
        return {"choices": [value]}
    if control.result_type == "textarea":
        return {"text": [value]}
    return {control.result_type: value}


def expand_prediction_shorthand(config: LabelConfig, result: Any) -> list:
    """Full result items for `result`; raise ResultError when no control of the config can hold it."""
    if isinstance(result, list):
        return result
    controls = list(config.controls.values())
    if isinstance(result, dict):
        for control in controls:
            if control.result_type in result or (control.value_key and control.value_key in result):
                return [_item(control, result)]
        raise ResultError(f"result: no control of the config takes a value with keys {sorted(result)}")
    if isinstance(result, str):
        types: tuple[str, ...] = _TEXT_TYPES
    elif isinstance(result, int) and not isinstance(result, bool):
        types = _INT_TYPES
    elif isinstance(result, float):
        types = ("number",)
    else:
        raise ResultError(f"result must be a list, an object, a string or a number, not {type(result).__name__}")
    for control in controls:
        if control.result_type in types:
            return [_item(control, _bare_value(control, result))]
    names = " or ".join(f"<{_TAGS[t]}>" for t in types)
    raise ResultError(f"result: {result!r} needs a {names} control in the config, and there is none")
