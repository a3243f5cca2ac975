"""Training rows from a task's annotations: preference pairs (DPO, reward), KTO labels and SFT conversations.

Every row carries its provenance: `annotation_id`, `task_id`, `annotator` (e-mail, None when unknown),
`created_at` (the annotation's) and `agreement`: the share of the task's annotators whose verdict on the same
thing (the same pair for pairs; the same reply for KTO; the best reply for SFT from a comparison) is the
most common one, or None when fewer than two annotators gave one. A tie is a verdict too.

Judgements for KTO: a single-choice Choices on one reply object (not the prompt) with options in `GOOD` and
`BAD` (case and punctuation ignored); the reply is the completion, the option its label. Comparisons give KTO
rows too: the replies of the best tier are desirable, those of the worst undesirable; middle tiers and ties
give none. SFT: each non-empty rewrite (see `preference_prompt.rewrite_controls`) after the prompt; an
annotation without one gives its comparisons' best replies instead (not on a tie).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_prompt import (
    PreferenceOptions,
    PromptShaper,
    default_prompt_field,
    reply_text,
    rewrite_controls,
    shows_text,
)
from tessera.domain.preferences import Comparison, compared_fields, comparison_controls, extract, norm

GOOD = frozenset({"good", "great", "acceptable", "helpful", "correct", "pass", "approve", "approved", "accept",
                  "accepted", "desirable", "thumbs up", "like"})  # fmt: skip
BAD = frozenset({"bad", "poor", "unacceptable", "unhelpful", "incorrect", "fail", "reject", "rejected",
                 "undesirable", "thumbs down", "dislike"})  # fmt: skip
People = Callable[[int | None], str | None]


@dataclass(frozen=True)
class Judgement:
    name: str
    object: str
    labels: dict[str, bool]


def judgement_controls(config: LabelConfig) -> list[Judgement]:
    """Good/bad Choices on one text object, in a config with another data field to be the prompt."""
    found = []
    for control in config.controls.values():
        if control.tag.lower() != "choices" or control.multiple or len(control.to_names) != 1:
            continue
        obj = config.objects.get(control.to_names[0])
        if obj is None or not obj.value_field or not shows_text(config, [obj.name]):
            continue
        labels = {label: norm(label) in GOOD for label in control.labels if norm(label) in GOOD | BAD}
        if len(set(labels.values())) == 2 and default_prompt_field(config, [obj.value_field]) is not None:
            found.append(Judgement(control.name, obj.name, labels))
    return found


def _agreement(votes: Counter[Hashable]) -> float | None:
    total = sum(votes.values())
    return round(max(votes.values()) / total, 4) if total >= 2 else None


class PreferenceRows:
    """The rows of one export; `people` gives an annotator's e-mail from their id."""

    def __init__(self, config: LabelConfig, options: PreferenceOptions | None = None, people: People | None = None):
        options = options or PreferenceOptions()
        self.config = config
        self.comparisons = comparison_controls(config)
        self.judgements = [j for j in judgement_controls(config) if j.name not in {c.name for c in self.comparisons}]
        self.rewrites = rewrite_controls(config)
        judged = {config.objects[j.object].value_field for j in self.judgements}
        excluded = compared_fields(config, self.comparisons) | {f for f in judged if f}
        self.shaper = PromptShaper(
            config, options.prompt_field or default_prompt_field(config, excluded), options.dpo_format
        )
        self.people = people or (lambda _id: None)

    # -- reading ----------------------------------------------------------------------------------------------

    def verdicts(self, task: dict[str, Any]) -> list[tuple[dict[str, Any], list[Comparison]]]:
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        out = []
        for ann in task.get("annotations") or []:
            if ann.get("was_cancelled"):
                continue
            found = [extract(self.config, c, data, ann.get("result")) for c in self.comparisons]
            out.append((ann, [c for c in found if c is not None]))
        return out

    def _provenance(self, ann: dict[str, Any], task: dict[str, Any], agreement: float | None) -> dict[str, Any]:
        author = ann.get("completed_by")
        author_id = author.get("id") if isinstance(author, dict) else author
        return {
            "annotation_id": ann.get("id"),
            "task_id": task.get("id"),
            "annotator": self.people(author_id),
            "created_at": ann.get("created_at"),
            "agreement": agreement,
        }

    # -- pairs: DPO and reward --------------------------------------------------------------------------------

    def pairs(self, task: dict[str, Any], *, margin: bool = False) -> Iterator[dict[str, Any]]:
        verdicts = self.verdicts(task)
        if not any(comps for _ann, comps in verdicts):
            return
        votes: defaultdict[tuple[str, frozenset[str]], Counter[Hashable]] = defaultdict(Counter)
        for _ann, comps in verdicts:
            for comp in comps:
                place = {key: i for i, tier in enumerate(comp.tiers) for key in tier}
                for x in place:
                    for y in place:
                        if x < y:
                            winner = x if place[x] < place[y] else y if place[y] < place[x] else "="
                            votes[(comp.control, frozenset((x, y)))][winner] += 1
        prompt = self.shaper.read(task["data"])
        for ann, comps in verdicts:
            for comp in comps:
                for chosen, rejected, gap in comp.pairs():
                    row: dict[str, Any] = {
                        "prompt": self.shaper.prompt(prompt),
                        "chosen": self.shaper.reply(prompt, comp.replies[chosen]),
                        "rejected": self.shaper.reply(prompt, comp.replies[rejected]),
                    }
                    if margin:
                        row["margin"] = gap
                    agreement = _agreement(votes[(comp.control, frozenset((chosen, rejected)))])
                    row.update(self._provenance(ann, task, agreement))
                    yield row

    # -- KTO ----------------------------------------------------------------------------------------------------

    def labels(self, task: dict[str, Any]) -> Iterator[dict[str, Any]]:
        verdicts = self.verdicts(task)
        labelled: list[tuple[dict[str, Any], str, Any, bool]] = []  # (annotation, vote key, reply, label)
        data = task.get("data") or {}
        for ann, comps in verdicts:
            for comp in comps:
                if comp.is_tie:
                    continue
                for tier, label in ((comp.tiers[0], True), (comp.tiers[-1], False)):
                    labelled += [(ann, f"{comp.control}/{key}", comp.replies[key], label) for key in tier]
            for judgement in self.judgements:
                chosen = [
                    v
                    for item in ann.get("result") or []
                    if isinstance(item, dict) and item.get("from_name") == judgement.name
                    for v in (item.get("value") or {}).get("choices") or []
                    if v in judgement.labels
                ]
                if chosen:
                    field = self.config.objects[judgement.object].value_field
                    reply = data.get(field) if field else None
                    labelled.append((ann, f"{judgement.name}/{judgement.object}", reply, judgement.labels[chosen[0]]))
        if not labelled:
            return
        votes: defaultdict[str, Counter[Hashable]] = defaultdict(Counter)
        for _ann, key, _reply, label in labelled:
            votes[key][label] += 1
        prompt = self.shaper.read(data)
        for ann, key, reply, label in labelled:
            row = {
                "prompt": self.shaper.prompt(prompt),
                "completion": self.shaper.reply(prompt, reply),
                "label": label,
            }
            row.update(self._provenance(ann, task, _agreement(votes[key])))
            yield row

    # -- SFT ----------------------------------------------------------------------------------------------------

    def conversations(self, task: dict[str, Any]) -> Iterator[dict[str, Any]]:
        verdicts = self.verdicts(task)
        best: defaultdict[str, Counter[Hashable]] = defaultdict(Counter)
        for _ann, comps in verdicts:
            for comp in comps:
                best[comp.control][comp.tiers[0] if not comp.is_tie else "="] += 1
        prompt = self.shaper.read(task.get("data") or {})
        for ann, comps in verdicts:
            texts = [text for name in self.rewrites for text in _texts(ann.get("result"), name)]
            if texts:
                for text in texts:
                    yield self._conversation(ann, task, prompt, text, "rewrite", None)
                continue
            for comp in comps:
                if comp.is_tie:
                    continue
                agreement = _agreement(best[comp.control])
                for key in comp.tiers[0]:
                    yield self._conversation(ann, task, prompt, comp.replies[key], "chosen", agreement)

    def _conversation(
        self, ann: dict[str, Any], task: dict[str, Any], prompt: Any, reply: Any, source: str, agreement: float | None
    ) -> dict[str, Any]:
        messages = PromptShaper.messages(prompt, reply_text(reply))
        return {"messages": messages, "source": source, **self._provenance(ann, task, agreement)}


def _texts(result: list[Any] | None, control: str) -> list[str]:
    texts = []
    for item in result or []:
        if isinstance(item, dict) and item.get("from_name") == control:
            lines = (item.get("value") or {}).get("text") or []
            text = "\n".join(t for t in lines if isinstance(t, str)) if isinstance(lines, list) else str(lines)
            if text.strip():
                texts.append(text)
    return texts
