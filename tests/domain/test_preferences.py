"""Comparisons read from configs and results (`domain.preferences`), with property tests of the pairs."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.domain.config.lsconfig_files import TEMPLATES, template_id, template_paths, template_xml

from tessera.domain.config import parse_config
from tessera.domain.export_fit import preference_formats
from tessera.domain.preferences import Comparison, comparison_controls, extract
from tessera.domain.reply_ratings import rating_controls, ratings_of

PAIRWISE = """<View><Text name="prompt" value="$prompt"/><Pairwise name="pw" toName="a,b"/>
<Text name="a" value="$answer1"/><Text name="b" value="$answer2"/>
<Choices name="verdict" toName="a"><Choice value="Tie"/><Choice value="Clear"/></Choices></View>"""
RANKER = """<View><Text name="prompt" value="$prompt"/><List name="answers" value="$items"/>
<Ranker name="rank" toName="answers"/></View>"""
BUCKETS = """<View><Text name="prompt" value="$prompt"/><List name="answers" value="$items"/>
<Ranker name="rank" toName="answers"><Bucket name="rejected" title="Rejected"/><Bucket name="best" title="Best"/>
<Bucket name="fine" title="Fine"/></Ranker></View>"""
CHOICE_BY_NAME = """<View><Text name="prompt" value="$prompt"/><Text name="answer1" value="$answer1"/>
<Text name="answer2" value="$answer2"/><Choices name="pick" toName="prompt"><Choice value="Answer 1"/>
<Choice value="Answer 2"/><Choice value="Equal"/></Choices></View>"""
CHOICE_BY_POSITION = """<View><Text name="prompt" value="$prompt"/><Text name="r1" value="$reply_x"/>
<Text name="r2" value="$reply_y"/><Choices name="pick" toName="prompt"><Choice value="Response B"/>
<Choice value="Response A"/></Choices></View>"""
DATA = {"prompt": "p", "answer1": "one", "answer2": "two"}


def pw(selected: str | None) -> dict[str, Any]:
    value = {} if selected is None else {"selected": selected}
    return {"from_name": "pw", "to_name": "a", "type": "pairwise", "value": value}


def _only(xml: str):
    config = parse_config(xml)
    [control] = comparison_controls(config)
    return config, control


def test_pairwise_left_is_the_first_to_name() -> None:
    config, control = _only(PAIRWISE)
    assert control.kind == "pairwise" and control.objects == ("a", "b") and control.tie_controls == ("verdict",)
    left = extract(config, control, DATA, [pw("left")])
    right = extract(config, control, DATA, [pw("right")])
    assert left is not None and list(left.pairs()) == [("a", "b", 1)]
    assert right is not None and list(right.pairs()) == [("b", "a", 1)]
    assert left.replies == {"a": "one", "b": "two"}


def test_pairwise_ties() -> None:
    config, control = _only(PAIRWISE)
    tie = {"from_name": "verdict", "to_name": "a", "type": "choices", "value": {"choices": ["Tie"]}}
    for result in ([], [pw(None)], [pw("left"), tie]):
        comparison = extract(config, control, DATA, result)
        assert comparison is not None and comparison.is_tie and list(comparison.pairs()) == []


def test_ranker_without_buckets() -> None:
    config, control = _only(RANKER)
    data = {"prompt": "p", "items": [{"id": "x", "body": "X"}, {"id": "y", "title": "Y"}, {"id": "z", "body": "Z"}]}
    result = [
        {"from_name": "rank", "to_name": "answers", "type": "ranker", "value": {"ranker": {"rank": ["z", "x", "y"]}}}
    ]
    comparison = extract(config, control, data, result)
    assert comparison is not None and comparison.replies == {"x": "X", "y": "Y", "z": "Z"}
    assert list(comparison.pairs()) == [("z", "x", 1), ("z", "y", 2), ("x", "y", 1)]


def test_buckets_named_like_a_rejection_go_last() -> None:
    config, control = _only(BUCKETS)
    assert control.buckets == ("best", "fine", "rejected")
    data = {"prompt": "p", "items": [{"id": i, "body": i.upper()} for i in "abcde"]}
    ranker = {"rejected": ["a"], "best": ["b", "c"], "fine": ["d"], "_": ["e"]}
    result = [{"from_name": "rank", "to_name": "answers", "type": "ranker", "value": {"ranker": ranker}}]
    comparison = extract(config, control, data, result)
    assert comparison is not None and comparison.tiers == (("b", "c"), ("d",), ("a",))
    assert ("b", "c", 0) not in set(comparison.pairs()) and ("b", "a", 2) in set(comparison.pairs())
    assert all("e" not in pair[:2] for pair in comparison.pairs())  # the unsorted column is not compared


def test_a_choice_naming_the_replies() -> None:
    config, control = _only(CHOICE_BY_NAME)
    assert control.kind == "choice" and control.options == {"Answer 1": "answer1", "Answer 2": "answer2", "Equal": None}
    pick = {"from_name": "pick", "to_name": "prompt", "type": "choices", "value": {"choices": ["Answer 2"]}}
    comparison = extract(config, control, DATA, [pick])
    assert comparison is not None and list(comparison.pairs()) == [("answer2", "answer1", 1)]
    pick["value"] = {"choices": ["Equal"]}
    assert extract(config, control, DATA, [pick]).is_tie  # type: ignore[union-attr]


def test_a_choice_by_position() -> None:
    config, control = _only(CHOICE_BY_POSITION)
    assert control.options == {"Response B": "r2", "Response A": "r1"}


def test_configs_without_comparisons() -> None:
    plain = """<View><Text name="t" value="$t"/>
    <Choices name="c" toName="t"><Choice value="A"/><Choice value="B"/></Choices></View>"""
    assert comparison_controls(parse_config(plain)) == []


@st.composite
def rankings(draw: st.DrawFn) -> tuple[list[str], tuple[tuple[str, ...], ...]]:
    n = draw(st.integers(min_value=0, max_value=8))
    keys = [f"r{i}" for i in range(n)]
    order = draw(st.permutations(keys))
    cuts = draw(st.lists(st.booleans(), min_size=max(n - 1, 0), max_size=max(n - 1, 0)))
    tiers, current = [], list(order[:1])
    for key, cut in zip(order[1:], cuts, strict=True):
        if cut:
            tiers.append(tuple(current))
            current = [key]
        else:
            current.append(key)
    if current:
        tiers.append(tuple(current))
    return keys, tuple(tiers)


@given(st.permutations([f"r{i}" for i in range(7)]).flatmap(lambda p: st.tuples(st.just(p), st.integers(0, 7))))
def test_n_replies_without_ties_give_every_pair_once(case: tuple[list[str], int]) -> None:
    order, n = list(case[0][: case[1]]), case[1]
    comparison = Comparison("rank", "ranking", {k: k for k in order}, tuple((k,) for k in order))
    pairs = list(comparison.pairs())
    assert len(pairs) == n * (n - 1) // 2
    assert len({frozenset(p[:2]) for p in pairs}) == len(pairs)
    for chosen, rejected, margin in pairs:
        assert order.index(chosen) < order.index(rejected) and margin == order.index(rejected) - order.index(chosen)


@given(rankings())
def test_pairs_follow_the_tiers(case: tuple[list[str], tuple[tuple[str, ...], ...]]) -> None:
    keys, tiers = case
    comparison = Comparison("rank", "ranking", {k: k for k in keys}, tiers)
    place = {k: i for i, tier in enumerate(tiers) for k in tier}
    pairs = list(comparison.pairs())
    for chosen, rejected, _margin in pairs:
        assert chosen != rejected and place[chosen] < place[rejected]  # tied replies give no pair
    expected = sum(1 for a in keys for b in keys if place[a] < place[b])
    assert len(pairs) == expected
    if len(tiers) <= 1:
        assert pairs == []


def test_per_item_ratings_on_a_list() -> None:
    config = parse_config(RANKER.replace("</View>", '<Rating name="quality" toName="answers" perItem="true"/></View>'))
    controls = comparison_controls(config)
    [rater] = rating_controls(config, {name for c in controls for name in c.objects})
    assert rater.per_item and rater.criterion == "quality"
    data = {"prompt": "p", "items": [{"id": "x", "body": "X"}, {"id": "y", "body": "Y"}]}
    result = [
        {"from_name": "quality", "to_name": "answers", "type": "rating", "item_index": i, "value": {"rating": v}}
        for i, v in ((0, 2), (1, 5))
    ]
    assert ratings_of(config, [rater], data, result) == {("quality", "x"): 2.0, ("quality", "y"): 5.0}


GALLERY_TRAINING = {
    "generative-ai/human-feedback-collection": {"DPO_JSONL", "REWARD_PAIRS_JSONL", "KTO_JSONL", "SFT_JSONL"},
    "generative-ai/llm-ranker": {"DPO_JSONL", "REWARD_PAIRS_JSONL", "KTO_JSONL", "SFT_JSONL"},
    "generative-ai/visual-ranker": {"DPO_JSONL", "REWARD_PAIRS_JSONL", "KTO_JSONL", "SFT_JSONL"},
    "ranking-and-scoring/pairwise-classification": {"DPO_JSONL", "REWARD_PAIRS_JSONL", "KTO_JSONL", "SFT_JSONL"},
    "generative-ai/supervised-llm": {"SFT_JSONL"},
    "conversational-ai/response-generation": {"SFT_JSONL"},
    "computer-vision/visual-question-answering": {"SFT_JSONL"},
    "natural-language-processing/machine-translation": {"SFT_JSONL"},
    "natural-language-processing/text-summarization": {"SFT_JSONL"},
    "structured-data-parsing/freeform-metadata": {"SFT_JSONL"},
}


def test_which_gallery_templates_give_training_data() -> None:
    """Comparisons, rewrites of a text; not captions or transcripts, nor a correct/incorrect table."""
    found = {}
    for path in template_paths():
        fits = preference_formats(parse_config(template_xml(path)))
        if fits:
            found[template_id(path)] = fits
    assert found == GALLERY_TRAINING
    llm_ranker = parse_config(template_xml(TEMPLATES / "generative-ai" / "llm-ranker" / "config.yml"))
    [ranker] = comparison_controls(llm_ranker)
    assert ranker.buckets == ("relevant_results", "biased_results")


@given(st.integers(min_value=0, max_value=9).flatmap(lambda n: st.permutations([f"id{i}" for i in range(n)])))
def test_a_ranker_result_gives_every_pair_consistent_with_it(order: list[str]) -> None:
    config, control = _only(RANKER)
    data = {"prompt": "p", "items": [{"id": key, "body": key.upper()} for key in sorted(order)]}
    value = {"ranker": {"rank": list(order)}}
    comparison = extract(config, control, data, [{"from_name": "rank", "to_name": "answers", "type": "ranker",
                                                  "value": value}])  # fmt: skip
    n = len(order)
    if n == 0:
        assert comparison is None
        return
    assert comparison is not None
    pairs = list(comparison.pairs())
    assert len(pairs) == n * (n - 1) // 2
    for chosen, rejected, _margin in pairs:
        assert chosen != rejected and order.index(chosen) < order.index(rejected)
        assert comparison.replies[chosen] == chosen.upper()
