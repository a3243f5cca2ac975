"""What a preference row is about: the prompt, the replies as text or messages, and the export options.

The prompt is the data field named by the `prompt_field` option or, by default, among the data fields the
config reads that no compared or judged object reads, the one named `prompt`, else the first. A list of
`{role, content}` (or, for a `<Paragraphs>` object, of its `nameKey`/`textKey` pairs) is a conversation;
anything else is text.

`dpo_format`: "conversational" rows carry `prompt` as a message list and each reply as
`[{"role": "assistant", "content": ...}]` (TRL's conversational preference format); "standard" rows carry
strings, a conversation written as "role: content" paragraphs. Unset, an export is conversational when the
first prompt it meets is a conversation, and keeps that choice for every row so that the file has one shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tessera.domain.config.model import LabelConfig
from tessera.domain.errors import InvalidInput

DPO_FORMATS = ("standard", "conversational")
OPTION_NAMES = ("dpo_format", "prompt_field")
Messages = list[dict[str, str]]


@dataclass(frozen=True)
class PreferenceOptions:
    """The preference exports' options, checked: `dpo_format` (None: decided by the first prompt)."""

    dpo_format: str | None = None
    prompt_field: str | None = None

    @classmethod
    def of(cls, options: Mapping[str, Any] | None) -> PreferenceOptions:
        options = options or {}
        fmt = options.get("dpo_format") or None
        if fmt is not None and (not isinstance(fmt, str) or fmt.lower() not in DPO_FORMATS):
            raise InvalidInput(
                f"dpo_format must be one of {', '.join(DPO_FORMATS)}, not {fmt!r}",
                field_errors={"dpo_format": [f"choose {' or '.join(DPO_FORMATS)}"]},
            )
        field = options.get("prompt_field") or None
        if field is not None and not isinstance(field, str):
            raise InvalidInput("prompt_field must be a data field name", field_errors={"prompt_field": ["not a name"]})
        return cls(fmt.lower() if fmt else None, field)

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("dpo_format", self.dpo_format), ("prompt_field", self.prompt_field)) if v}


def default_prompt_field(config: LabelConfig, excluded: Iterable[str]) -> str | None:
    """`prompt` when the config reads it and it is not excluded, else the first field read and not excluded."""
    left_out = set(excluded)
    fields = [f for f in config.data_fields if f not in left_out]
    return "prompt" if "prompt" in fields else (fields[0] if fields else None)


def _keys_of(config: LabelConfig, field: str) -> tuple[str, str]:
    """The (role, text) keys of a conversation in `field`: a Paragraphs object's nameKey/textKey if one shows
    it, else role/content."""
    for obj in config.objects.values():
        if obj.value_field == field and obj.tag.lower() in ("paragraphs", "dialog"):
            return obj.attrs.get("nameKey", "author"), obj.attrs.get("textKey", "text")
    return "role", "content"


def as_messages(value: Any, keys: tuple[str, str] = ("role", "content")) -> Messages | None:
    """`value` as chat messages when it is a non-empty list of {role, content} (or of the given keys)."""
    if not isinstance(value, list) or not value:
        return None
    for role, text in dict.fromkeys((keys, ("role", "content"))):
        if all(isinstance(m, dict) and role in m and text in m for m in value):
            return [{"role": str(m[role]), "content": as_text(m[text])} for m in value]
    return None


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    messages = as_messages(value)
    if messages is not None:
        return messages_text(messages)
    return json.dumps(value, ensure_ascii=False)


def messages_text(messages: Messages) -> str:
    return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)


def reply_text(value: Any) -> str:
    """A reply as text: a string as it is; a conversation's last message's content."""
    messages = as_messages(value)
    if messages is not None:
        return messages[-1]["content"]
    return as_text(value)


class PromptShaper:
    """Reads prompts and shapes prompts and replies for one export, deciding the format once."""

    def __init__(self, config: LabelConfig, field: str | None, dpo_format: str | None) -> None:
        self.field = field
        self.keys = _keys_of(config, field) if field else ("role", "content")
        self.conversational: bool | None = None if dpo_format is None else dpo_format == "conversational"

    def read(self, data: Mapping[str, Any]) -> str | Messages:
        value = data.get(self.field) if self.field else None
        messages = as_messages(value, self.keys)
        if messages is not None:
            return messages
        return as_text(value)

    def decide(self, prompt: str | Messages) -> bool:
        if self.conversational is None:
            self.conversational = isinstance(prompt, list)
        return self.conversational

    def prompt(self, prompt: str | Messages) -> str | Messages:
        if self.decide(prompt):
            return prompt if isinstance(prompt, list) else [{"role": "user", "content": prompt}]
        return messages_text(prompt) if isinstance(prompt, list) else prompt

    def reply(self, prompt: str | Messages, value: Any) -> str | Messages:
        text = reply_text(value)
        return [{"role": "assistant", "content": text}] if self.decide(prompt) else text

    @staticmethod
    def messages(prompt: str | Messages, reply: str) -> Messages:
        """A conversation for SFT: the prompt as messages, then the reply."""
        head = prompt if isinstance(prompt, list) else ([{"role": "user", "content": prompt}] if prompt else [])
        return [*head, {"role": "assistant", "content": reply}]


_NOT_REWRITES = re.compile(r"comment|reason|note|explain|explanation|why|feedback|rationale|justif", re.I)
TEXT_MEDIA = frozenset({"text", "html", "paragraphs", "chat"})


def shows_text(config: LabelConfig, object_names: Iterable[str]) -> bool:
    """Whether every one of these objects shows text (Text, HyperText, Paragraphs, Chat), and there is one."""
    names = list(object_names)
    return bool(names) and all(n in config.objects and config.objects[n].media in TEXT_MEDIA for n in names)


def rewrite_controls(config: LabelConfig) -> list[str]:
    """TextArea controls that hold a reply written by the annotator to a text: not per region, not on an
    image or audio (a caption or a transcript), not named like a comment or a reason."""
    return [
        c.name
        for c in config.controls.values()
        if c.tag.lower() == "textarea"
        and c.attrs.get("perRegion", "").lower() != "true"
        and shows_text(config, c.to_names)
        and not _NOT_REWRITES.search(c.name)
    ]
