"""Label Studio's JSON view of a config: `parsed_label_config` (and the `control_weights` built on it).

Computed from the XML tree exactly as `label_studio_sdk`'s `parse_config` does (Label Studio 1.23 serves
its output in project responses), quirks included: every tag with `name` and `toName` (except `Filter`) is
an output, even a `<Chat toName=...>`; every other tag with `name` and `value`/`valueList` is an input;
`labels` are the `alias` or `value` of `<Label>`, `<Choice>` and `<Relation>` tags under an output, and
`labels_attrs` all their attributes.
"""

from __future__ import annotations

import re
from typing import Any

from tessera.domain.config.xmltree import Node

_OPTION_TAGS = ("Label", "Choice", "Relation")
_NOT_CONTROLS = ("Filter",)
_VARIABLE = re.compile(r"\$[A-Za-z_]+")


def _conditionals(attrs: dict[str, str]) -> dict[str, str] | None:
    if attrs.get("perRegion") != "true":
        return None
    for attr, kind in (("whenTagName", "tag"), ("whenLabelValue", "label"), ("whenChoiceValue", "choice")):
        if attrs.get(attr):
            return {"type": kind, "name": attrs[attr]}
    return None


class _Collect:
    def __init__(self) -> None:
        self.inputs: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, dict[str, str]]] = {}
        self.flags: list[str] = []

    def visit(self, node: Node, parent_output: str | None) -> None:
        attrs = node.attrs
        if "indexFlag" in attrs:
            self.flags.append(attrs["indexFlag"])
        if attrs.get("name") and attrs.get("toName") and node.tag not in _NOT_CONTROLS:
            parent_output = self.add_output(node)
        elif attrs.get("name") and (attrs.get("value") or attrs.get("valueList")):
            entry: dict[str, Any] = {"type": node.tag, "valueType": attrs.get("valueType")}
            if "value" in attrs:
                entry["value"] = attrs["value"].lstrip("$")
            else:
                entry["valueList"] = attrs["valueList"].lstrip("$")
            self.inputs[attrs["name"]] = entry
        if node.tag in _OPTION_TAGS and parent_output is not None:
            value = attrs.get("alias") or attrs.get("value") or attrs.get("valueList")
            if value:
                self.labels[parent_output][value] = dict(attrs)
        for child in node.children:
            self.visit(child, parent_output)

    def add_output(self, node: Node) -> str:
        name, attrs = node.attrs["name"], node.attrs
        info: dict[str, Any] = {"type": node.tag, "to_name": attrs["toName"].split(",")}
        regex = {flag: ".*" for flag in self.flags for to_name in info["to_name"] if flag in to_name}
        if regex:
            info["regex"] = regex
        conditionals = _conditionals(attrs)
        if conditionals:
            info["conditionals"] = conditionals
        if _VARIABLE.fullmatch(attrs.get("value", "")) or attrs.get("apiUrl"):
            info["dynamic_labels"] = True
        self.outputs[name] = info
        self.labels[name] = {}
        return name


def parsed_label_config(root: Node) -> dict[str, Any]:
    """{control name: {type, to_name, inputs, labels, labels_attrs, ...}} as Label Studio shows it."""
    collect = _Collect()
    collect.visit(root, None)
    for name, info in collect.outputs.items():
        info["inputs"] = [collect.inputs[n] for n in info["to_name"] if n in collect.inputs]
        info["labels"] = list(collect.labels[name])
        info["labels_attrs"] = collect.labels[name]
    return collect.outputs


def control_weights(parsed: dict[str, Any]) -> dict[str, Any]:
    """Default weights: {control name: {"overall": 1.0, "type": tag, "labels": {label: 1.0}}}."""
    return {
        name: {"overall": 1.0, "type": info["type"], "labels": dict.fromkeys(info["labels"], 1.0)}
        for name, info in parsed.items()
    }
