"""The registry of tag kinds of the labeling-config language.

Every tag Label Studio's editor knows is listed here once, with what the parser and the result checker need
to know about it: its role (object, control, option, visual), the `type` its results carry, where its labels
live in a result's `value`, and which data it shows. Tag names match case-insensitively, as in Label Studio's
editor (`Registry.addTag("choices", ...)`); lower-case HTML elements inside a `<View>` are visual.

Extending the language means registering one more `TagKind`, the same way core tags are registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["object", "control", "option", "relations", "visual"]


@dataclass(frozen=True)
class TagKind:
    """What a tag is. `name` is the canonical spelling, e.g. "RectangleLabels"."""

    name: str
    role: Role
    result_type: str | None = None  # controls: the lower-case `type` of their result items
    label_key: str | None = None  # where the chosen labels live in `value`, e.g. "rectanglelabels"
    value_key: str | None = None  # controls: the key holding the answer, e.g. "text" for TextArea
    option: str | None = None  # controls: the child tag that declares an option ("Label", "Choice"...)
    needs_options: bool = False  # a control that is useless without options (unless they are dynamic)
    media: str | None = None  # objects: the kind of data shown ("text", "image", "audio"...)
    self_referencing: bool = False  # from_name == to_name (ReactCode)


REGISTRY: dict[str, TagKind] = {}


def register(kind: TagKind) -> TagKind:
    """Add a tag kind (or replace one of the same name) and return it."""
    REGISTRY[kind.name.lower()] = kind
    return kind


def lookup(tag: str) -> TagKind | None:
    """The kind of `tag` as written in a config, or None when the tag is unknown."""
    kind = REGISTRY.get(tag.lower())
    if kind is not None:
        return kind
    if tag.islower() and tag in HTML_ELEMENTS:
        return HTML_KIND
    return None


# -- object tags: they show task data, bound with value="$field" -------------------------------------------
for _name, _media in [
    ("Text", "text"),
    ("HyperText", "html"),
    ("Paragraphs", "paragraphs"),
    ("Dialog", "paragraphs"),  # deprecated, still accepted by LS
    ("Image", "image"),
    ("Audio", "audio"),
    ("AudioPlus", "audio"),  # deprecated alias of Audio
    ("Video", "video"),
    ("TimeSeries", "timeseries"),
    ("Table", "table"),
    ("List", "list"),
    ("Chat", "chat"),
    ("Pdf", "pdf"),
]:
    register(TagKind(_name, "object", media=_media))


# -- control tags: they produce results ---------------------------------------------------------------------
def _labels(name: str, result_type: str | None = None, label_key: str | None = None) -> None:
    rtype = result_type or name.lower()
    register(TagKind(name, "control", rtype, label_key or rtype, option="Label", needs_options=True))


for _name in [
    "Labels", "HyperTextLabels", "ParagraphLabels", "RectangleLabels", "PolygonLabels", "KeyPointLabels",
    "BrushLabels", "EllipseLabels", "VectorLabels", "BitmaskLabels", "TimeSeriesLabels", "TimelineLabels",
    "OcrLabels",
]:  # fmt: skip
    _labels(_name)
_labels("VideoVectorLabels", label_key="labels")

for _name in ["Rectangle", "Polygon", "KeyPoint", "Brush", "Ellipse", "Vector", "Bitmask", "MagicWand",
              "VideoRectangle", "VideoVector"]:  # fmt: skip
    register(TagKind(_name, "control", _name.lower()))

register(TagKind("Choices", "control", "choices", "choices", "choices", "Choice", needs_options=True))
register(TagKind("Taxonomy", "control", "taxonomy", "taxonomy", "taxonomy", "Choice", needs_options=True))
register(TagKind("TextArea", "control", "textarea", value_key="text", option="Shortcut"))
register(TagKind("Rating", "control", "rating", value_key="rating"))
register(TagKind("Number", "control", "number", value_key="number"))
register(TagKind("DateTime", "control", "datetime", value_key="datetime"))
register(TagKind("Pairwise", "control", "pairwise", value_key="selected"))
register(TagKind("Ranker", "control", "ranker", value_key="ranker", option="Bucket"))
register(TagKind("ReactCode", "control", "reactcode", value_key="reactcode", self_referencing=True))
register(TagKind("Relations", "relations", option="Relation"))

# -- options: children that declare a control's labels -----------------------------------------------------
for _name in ["Label", "Choice", "Relation", "Bucket", "Shortcut"]:
    register(TagKind(_name, "option"))

# -- visual and structural tags ------------------------------------------------------------------------------
for _name in ["View", "Header", "Style", "Filter", "Collapse", "Panel", "Repeater", "Markdown", "Channel",
              "MultiChannel"]:  # fmt: skip
    register(TagKind(_name, "visual"))

HTML_KIND = TagKind("html", "visual")

HTML_ELEMENTS = frozenset(
    """a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup dd del details dfn
    div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 hr i img ins kbd li main mark nav ol p pre q s
    samp section small span strong sub summary sup tbody td tfoot th thead time tr u ul var wbr""".split()
)

# Result types whose value describes a shape on an image-like object; "<type>labels" is the labelled twin.
GEOMETRY_TYPES = frozenset({"rectangle", "polygon", "keypoint", "ellipse", "brush", "bitmask", "vector", "videovector"})
# All keys that can carry label values inside a result value.
LABEL_KEYS = frozenset(k.label_key for k in REGISTRY.values() if k.label_key) | {"labels"}
