"""Safe reading of a labeling config's XML into a small tree of `Node`s.

The XML goes through `defusedxml` with DTDs refused outright: a document type declaration (needed for any
entity, hence for entity bombs and external entities) stops the parse at once with a `ConfigError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from tessera.domain.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000
MAX_DEPTH = 200  # nesting deeper than any real config; keeps the recursive walks within Python's stack


@dataclass(eq=False)
class Node:
    """One element of the config: its tag as written, attributes, children, text, and source line."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def describe(self) -> str:
        """`<Choices name="sentiment">` (or `<Choice value="A">`), the way messages name a tag."""
        for attr in ("name", "value"):
            if self.attrs.get(attr):
                return f'<{self.tag} {attr}="{self.attrs[attr]}">'
        return f"<{self.tag}>"


class _Builder:
    """An ElementTree parser target that builds `Node`s and records line numbers."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.stack: list[Node] = []
        self.root: Node | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        line = self.parser.parser.CurrentLineNumber if self.parser is not None else 0
        if len(self.stack) >= MAX_DEPTH:
            raise ConfigError(f"<{tag}> on line {line} is nested more than {MAX_DEPTH} tags deep", tag=tag)
        node = Node(tag, dict(attrs), line)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag: str) -> None:
        self.stack.pop()

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1].text += text

    def close(self) -> Node | None:
        return self.root


def read_xml(xml: str) -> Node:
    """Parse `xml` into a tree; raise ConfigError when it is not safe, well-formed XML."""
    if not isinstance(xml, str):
        raise ConfigError("The label config must be a string of XML")
    if not xml.strip():
        raise ConfigError("The label config is empty")
    if len(xml.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        raise ConfigError(f"The label config is larger than {MAX_CONFIG_BYTES // 1_000_000} MB")
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(xml)
        root = parser.close()
    except DefusedXmlException as exc:
        raise ConfigError(f"DTD and entities are not allowed in the label config ({exc})") from None
    except ParseError as exc:
        raise ConfigError(f"The label config is not well-formed XML: {exc}") from None
    if root is None:
        raise ConfigError("The label config has no root element")
    return root
