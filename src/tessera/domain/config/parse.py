"""`parse_config`: from labeling-config XML to a checked `LabelConfig`.

The checks, each failing with a `ConfigError` that names the tag and the reason:
the XML is safe and well-formed (see `xmltree`); the root is `<View>`; every tag is known (see `tags`);
object and control tags have a `name`, names are unique; object tags have a `value`; every name in a
control's `toName` (comma-separated, e.g. Pairwise's "a,b") is an object tag; a control that needs options
(Choices, Labels, *Labels, Taxonomy) has some, unless they are dynamic (`value="$options"`, `apiUrl`);
options (`<Choice>`, `<Label>`, `<Relation>`) have a value and sit inside their control.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tessera.domain.config import lsjson
from tessera.domain.config.model import ControlTag, LabelConfig, ObjectTag
from tessera.domain.config.tags import TagKind, lookup
from tessera.domain.config.xmltree import Node, read_xml
from tessera.domain.errors import ConfigError

_FIELD = re.compile(r"\$([^.\[\s]+)")
_DATA_ATTRS = ("value", "valueList", "audioUrl")  # object attributes that read task data


def data_field(value: str | None) -> str | None:
    """The top-level task.data key of a `$field` reference: "$a.b" -> "a", "$img[{{i}}].url" -> "img"."""
    if not value or not value.startswith("$"):
        return None
    match = _FIELD.match(value)
    return match.group(1) if match else None


def _fail(node: Node, reason: str) -> ConfigError:
    return ConfigError(f"{node.describe()}: {reason} (line {node.line})", tag=node.tag)


@dataclass(eq=False)
class _Owner:
    """A control (or the `<Relations>` block) collecting its options while the tree is walked."""

    node: Node
    kind: TagKind
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    paths: list[tuple[str, ...]] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)


@dataclass(eq=False)
class _Walk:
    names: dict[str, Node] = field(default_factory=dict)
    objects: dict[str, ObjectTag] = field(default_factory=dict)
    owners: dict[str, _Owner] = field(default_factory=dict)
    relations: _Owner | None = None
    filters: list[Node] = field(default_factory=list)
    fields: dict[str, None] = field(default_factory=dict)

    def visit(self, node: Node, owner: _Owner | None, path: tuple[str, ...]) -> None:
        kind = lookup(node.tag)
        if kind is None:
            raise _fail(node, "unknown tag, not part of the labeling config language")
        if node.attrs.get("name") and kind.name != "html":
            self.claim_name(node)
        if kind.role == "object":
            self.add_object(node, kind)
        elif kind.role == "control":
            owner, path = self.add_control(node, kind), ()
        elif kind.role == "relations":
            owner = self.relations = self.relations or _Owner(node, kind)
        elif kind.role == "option":
            path = self.add_option(node, kind, owner, path)
        elif kind.name == "Filter":
            self.filters.append(node)
        elif kind.name == "Repeater":
            self.add_fields(node, ("on",))
        for child in node.children:
            self.visit(child, owner, path)

    def add_fields(self, node: Node, attrs: tuple[str, ...]) -> None:
        for attr in attrs:
            name = data_field(node.attrs.get(attr))
            if name:
                self.fields.setdefault(name)

    def claim_name(self, node: Node) -> None:
        name = node.attrs["name"]
        first = self.names.get(name)
        if first is not None:
            raise _fail(node, f'the name "{name}" is already used by <{first.tag}> on line {first.line}')
        self.names[name] = node

    def add_object(self, node: Node, kind: TagKind) -> None:
        if not node.attrs.get("name"):
            raise _fail(node, "an object tag needs a name")
        value = node.attrs.get("value") or node.attrs.get("valueList")
        if not value:
            raise _fail(node, 'an object tag needs a value, the task data it shows (e.g. value="$text")')
        self.add_fields(node, _DATA_ATTRS)
        name = node.attrs["name"]
        self.objects[name] = ObjectTag(name, node.tag, value, data_field(value), dict(node.attrs), kind, node.line)

    def add_control(self, node: Node, kind: TagKind) -> _Owner:
        if not node.attrs.get("name"):
            raise _fail(node, "a control tag needs a name")
        owner = self.owners[node.attrs["name"]] = _Owner(node, kind)
        return owner

    def add_option(self, node: Node, kind: TagKind, owner: _Owner | None, path: tuple[str, ...]):
        if kind.name in ("Label", "Choice", "Relation"):
            value = node.attrs.get("alias") or node.attrs.get("value") or node.attrs.get("valueList")
            expected = "<Relations>" if kind.name == "Relation" else "a control tag"
            if owner is None or (kind.name == "Relation") != (owner.kind.role == "relations"):
                raise _fail(node, f"must be inside {expected}")
            if not value:
                raise _fail(node, f"needs a value, inside {owner.node.describe()}")
            owner.labels[value] = dict(node.attrs)
            owner.paths.append((*path, value))
            return (*path, value)
        if kind.name == "Bucket" and owner is not None and node.attrs.get("name"):
            owner.buckets.append(node.attrs["name"])
        return path

    def control(self, owner: _Owner) -> ControlTag:
        node, kind = owner.node, owner.kind
        name = node.attrs["name"]
        # Without toName a control is free-standing (the gallery has such a <Rating>), or labels itself.
        to_name = node.attrs.get("toName") or (name if kind.self_referencing else "")
        to_names = [n.strip() for n in to_name.split(",")] if to_name else []
        for to_name in to_names:
            if to_name not in self.objects:
                raise _fail(node, f'toName "{to_name}" names no object tag')
        dynamic = "value" in node.attrs or "apiUrl" in node.attrs
        if kind.needs_options and not owner.labels and not dynamic:
            raise _fail(node, f'has no <{kind.option}> options (or value="$field" for dynamic options)')
        return ControlTag(
            name, node.tag, to_names, list(owner.labels), dict(node.attrs), kind.result_type or "", kind,
            owner.labels, owner.paths, owner.buckets, dynamic, node.line,
        )  # fmt: skip


def parse_config(xml: str) -> LabelConfig:
    """Parse and check a labeling config; raise ConfigError naming the tag at fault and why."""
    root = read_xml(xml)
    kind = lookup(root.tag)
    if kind is None or kind.name != "View":
        raise ConfigError(f"The root tag must be <View>, not <{root.tag}>", tag=root.tag)
    walk = _Walk()
    walk.visit(root, None, ())
    controls = {name: walk.control(owner) for name, owner in walk.owners.items()}
    for node in walk.filters:
        target = node.attrs.get("toName")
        if target and target not in walk.names:
            raise _fail(node, f'toName "{target}" names no tag')
    relation_labels = list(walk.relations.labels) if walk.relations else []
    parsed = lsjson.parsed_label_config(root)
    return LabelConfig(xml, walk.objects, controls, list(walk.fields), relation_labels, parsed)
