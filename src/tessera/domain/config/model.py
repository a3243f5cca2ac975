"""The parsed labeling config: object tags, control tags and the task data they need.

Instances are built by `parse_config` and treated as read-only by everything else.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from tessera.domain.config import lsjson
from tessera.domain.config.tags import TagKind


@dataclass(frozen=True)
class ObjectTag:
    """A tag that shows task data: `<Text name="text" value="$text"/>`.

    `value` is the `value` (or `valueList`) attribute as written; `value_field` the top-level `task.data`
    key it reads (`$a.b` -> "a"), or None when the value is literal text.
    """

    name: str
    tag: str
    value: str
    value_field: str | None
    attrs: dict[str, str]
    kind: TagKind = field(repr=False, compare=False)
    line: int = 0

    @property
    def media(self) -> str:
        """The kind of data shown: "text", "html", "paragraphs", "image", "audio", "video"..."""
        return self.kind.media or ""

    @property
    def value_is_url(self) -> bool:
        return self.attrs.get("valueType", self.attrs.get("valuetype", "")).lower() == "url"


@dataclass(frozen=True)
class ControlTag:
    """A tag that produces results: `<Choices name="sentiment" toName="text">`.

    `labels` lists the values of its `<Label>`/`<Choice>` options in document order (the `alias` when one
    is set, as Label Studio stores it), nested `<Choice>`s included; for nested choices (Taxonomy, or
    Choices with `allowNested`) `paths` holds each option's path from the root, e.g. ("Animal", "Mammal").
    `dynamic_labels` is True when options come from task data (`value="$options"`) or an `apiUrl`, so
    any label is accepted.
    """

    name: str
    tag: str
    to_names: list[str]
    labels: list[str]
    attrs: dict[str, str]
    result_type: str
    kind: TagKind = field(repr=False, compare=False)
    label_attrs: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    paths: list[tuple[str, ...]] = field(default_factory=list, repr=False)
    buckets: list[str] = field(default_factory=list)
    dynamic_labels: bool = False
    line: int = 0

    @property
    def multiple(self) -> bool:
        """Whether several options may be chosen at once (`choice="multiple"`)."""
        return self.attrs.get("choice", "") == "multiple"

    @property
    def label_key(self) -> str | None:
        """The key of a result `value` that holds this control's labels, e.g. "rectanglelabels"."""
        return self.kind.label_key

    @property
    def value_key(self) -> str | None:
        """The key of a result `value` that holds this control's answer, e.g. "text" for TextArea."""
        return self.kind.value_key or self.kind.label_key


@dataclass(frozen=True)
class LabelConfig:
    """A valid labeling config. Build it with `parse_config(xml)`."""

    xml: str
    objects: dict[str, ObjectTag]
    controls: dict[str, ControlTag]
    data_fields: list[str]
    relation_labels: list[str] = field(default_factory=list)
    ls_parsed: dict[str, Any] = field(default_factory=dict, repr=False)  # see parsed_label_config()

    def missing_fields(self, data: dict[str, Any]) -> list[str]:
        """The data fields the config needs that `data` lacks (a key that is present may hold null)."""
        return [name for name in self.data_fields if name not in data]

    def first_text_field(self) -> str | None:
        """The data field a TXT line or a single uploaded file is bound to: the config's only data field.

        None when the objects read no field or several different ones.
        """
        fields = {obj.value_field for obj in self.objects.values() if obj.value_field}
        return fields.pop() if len(fields) == 1 else None

    def controls_of(self, object_name: str) -> list[ControlTag]:
        """The controls whose toName includes `object_name`, in document order."""
        return [c for c in self.controls.values() if object_name in c.to_names]

    def parsed_label_config(self) -> dict[str, Any]:
        """Label Studio's `parsed_label_config` for this config (see `lsjson`); a fresh copy."""
        return copy.deepcopy(self.ls_parsed)

    def control_weights(self) -> dict[str, Any]:
        """Label Studio's default `control_weights` for this config (see `lsjson`)."""
        return lsjson.control_weights(self.ls_parsed)
