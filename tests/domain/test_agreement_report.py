"""The report: which controls get which metrics, how results become answers, and the per-task values."""

from __future__ import annotations

from typing import Any

import pytest

from tessera.domain.agreement import AgreementReport, fleiss_kappa, krippendorff_alpha
from tessera.domain.config import parse_config

CONFIG = parse_config(
    """<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="topic" toName="text" choice="multiple"><Choice value="a"/><Choice value="b"/></Choices>
  <Rating name="stars" toName="text"/>
  <TextArea name="note" toName="text"/>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="car"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="car"/></PolygonLabels>
  <List name="items" value="$items"/>
  <Ranker name="rank" toName="items"/>
</View>"""
)


def choice(*values: str) -> dict[str, Any]:
    return {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": list(values)}}


def stars(n: int) -> dict[str, Any]:
    return {"from_name": "stars", "to_name": "text", "type": "rating", "value": {"rating": n}}


def ner(start: int, end: int, label: str = "PER") -> dict[str, Any]:
    value = {"start": start, "end": end, "labels": [label]}
    return {"from_name": "ner", "to_name": "text", "type": "labels", "value": value}


def box(x: float, w: float) -> dict[str, Any]:
    value = {"x": x, "y": 0, "width": w, "height": 10, "rectanglelabels": ["car"]}
    return {"from_name": "box", "to_name": "img", "type": "rectanglelabels", "value": value}


def rank(*ids: str) -> dict[str, Any]:
    return {"from_name": "rank", "to_name": "items", "type": "ranker", "value": {"ranker": {"rank": list(ids)}}}


def metric(report: AgreementReport, control: str, name: str) -> dict[str, Any]:
    return report.as_dict()["controls"][control]["metrics"][name]


def test_families_and_controls_not_compared() -> None:
    out = AgreementReport(CONFIG).as_dict()
    families = {name: c["family"] for name, c in out["controls"].items()}
    assert families == {
        "ner": "spans",
        "topic": "categorical",
        "stars": "numeric",
        "note": "text",
        "box": "boxes",
        "rank": "ranking",
    }
    assert set(out["controls"]["stars"]["metrics"]) >= {"krippendorff_alpha_ordinal", "cohen_kappa"}
    assert "krippendorff_alpha_ordinal" not in out["controls"]["topic"]["metrics"]
    assert list(out["controls"]["note"]["metrics"]) == ["percent_agreement"]
    assert "poly" in out["not_compared"]


def test_one_annotator_gives_no_values_and_reasons() -> None:
    report = AgreementReport(CONFIG)
    assert report.add_task(1, {7: [choice("a"), stars(3)]}) is False
    cohen = metric(report, "topic", "cohen_kappa")
    assert cohen["value"] is None and cohen["reason"]
    assert cohen["per_pair"] == [] and cohen["per_annotator"] == []
    assert metric(report, "stars", "krippendorff_alpha_interval")["value"] is None


def test_missing_answers_are_left_out_and_sets_compare_whole() -> None:
    report = AgreementReport(CONFIG)
    report.add_task(1, {1: [choice("a", "b")], 2: [choice("b", "a")], 3: []})  # 3 did not answer topic
    report.add_task(2, {1: [choice("a", "b")], 2: [choice("a")]})
    percent = metric(report, "topic", "percent_agreement")
    assert percent["value"] == 0.5 and percent["n"] == 2
    assert [p["annotators"] for p in percent["per_pair"]] == [[1, 2]]


def test_categorical_project_values_equal_the_metric_functions() -> None:
    units = [[1, 1, 2], [2, 2], [3, 3, 3], [1, 2, 3], [4, 4]]
    report = AgreementReport(CONFIG)
    for task, unit in enumerate(units):
        report.add_task(task, {annotator: [stars(v)] for annotator, v in enumerate(unit)})
    assert metric(report, "stars", "fleiss_kappa")["value"] == pytest.approx(fleiss_kappa(units).value)
    for level in ("nominal", "ordinal", "interval"):
        expected = krippendorff_alpha(units, level).value
        assert metric(report, "stars", f"krippendorff_alpha_{level}")["value"] == pytest.approx(expected)


def test_per_task_values_average_to_the_project_value() -> None:
    units = [[1, 1, 2], [2, 2, 2], [3, 1, 3], [1, 2, 3], [4, 4, 5]]
    report = AgreementReport(CONFIG, controls=["stars"])
    for task, unit in enumerate(units):
        report.add_task(task, {annotator: [stars(v)] for annotator, v in enumerate(unit)}, keep=True)
    rows = report.task_rows()
    assert [r["task"] for r in rows] == list(range(5)) and rows[0]["annotators"] == [0, 1, 2]
    for name in ("fleiss_kappa", "krippendorff_alpha_interval", "percent_agreement"):
        # Equal numbers of answers per task, so alpha's answer-weighted mean is the plain mean here.
        values = [r["controls"]["stars"][name] for r in rows]
        assert sum(values) / len(values) == pytest.approx(metric(report, "stars", name)["value"])
    assert rows[1]["controls"]["stars"]["percent_agreement"] == 1.0
    assert rows[3]["controls"]["stars"]["answers"] == {0: 1, 1: 2, 2: 3}


def test_spans_and_boxes_per_pair_and_per_annotator() -> None:
    report = AgreementReport(CONFIG, controls=["ner", "box"], threshold=0.5)
    report.add_task(1, {1: [ner(0, 5), ner(10, 20)], 2: [ner(0, 5)], 3: [ner(0, 4), box(0, 10)]})
    f1 = metric(report, "ner", "f1")
    pairs = {tuple(p["annotators"]): p["value"] for p in f1["per_pair"]}
    assert pairs == {(1, 2): pytest.approx(2 / 3), (1, 3): pytest.approx(2 / 3), (2, 3): pytest.approx(1.0)}
    # Micro-average over the three pairs: 3 matches, 2 + 1 + 1 + 2 + 1 + 1 regions.
    assert f1["value"] == pytest.approx(6 / 8)
    assert f1["n"] == 1 and metric(report, "ner", "mean_iou")["n"] == 3  # one task; three matched regions
    precision = {p["annotator"]: p["value"] for p in metric(report, "ner", "precision")["per_annotator"]}
    assert precision[1] == pytest.approx(0.5) and precision[2] == pytest.approx(1.0)
    recall = {p["annotator"]: p["value"] for p in metric(report, "ner", "recall")["per_annotator"]}
    assert recall[1] == pytest.approx(1.0) and recall[2] == pytest.approx(0.75)
    assert metric(report, "ner", "mean_iou")["value"] == pytest.approx((1 + 0.8 + 0.8) / 3)
    # Only annotator 3 drew a box: the other two answered "no box", so each of its pairs is a miss.
    boxes = metric(report, "box", "f1")
    assert boxes["value"] == 0.0 and metric(report, "box", "percent_agreement")["value"] == pytest.approx(1 / 3)


def test_threshold_changes_what_matches() -> None:
    strict = AgreementReport(CONFIG, controls=["ner"], threshold=0.9)
    strict.add_task(1, {1: [ner(0, 10)], 2: [ner(0, 8)]})
    assert metric(strict, "ner", "f1")["value"] == 0.0
    loose = AgreementReport(CONFIG, controls=["ner"], threshold=0.8)
    loose.add_task(1, {1: [ner(0, 10)], 2: [ner(0, 8)]})
    assert metric(loose, "ner", "f1")["value"] == 1.0


def test_rankings() -> None:
    report = AgreementReport(CONFIG, controls=["rank"])
    report.add_task(1, {1: [rank("a", "b", "c", "d")], 2: [rank("b", "a", "c", "d")]}, keep=True)
    report.add_task(2, {1: [rank("a", "b")], 2: [rank("a", "b")]}, keep=True)
    tau = metric(report, "rank", "kendall_tau")
    assert tau["value"] == pytest.approx((4 / 6 + 1) / 2)
    assert metric(report, "rank", "percent_agreement")["value"] == 0.5
    assert report.task_rows()[0]["controls"]["rank"] == {"kendall_tau": pytest.approx(4 / 6), "percent_agreement": 0}


def test_metric_filter_and_results_that_do_not_fit() -> None:
    report = AgreementReport(CONFIG, metrics=["cohen_kappa"])
    junk = [{"from_name": "gone", "value": {"choices": ["a"]}}, "not an item", {"from_name": "stars", "value": 3}]
    report.add_task(1, {1: junk + [stars(2)], 2: [stars(2)]})
    out = report.as_dict()["controls"]
    assert set(out) == {"topic", "stars"}
    (pair,) = out["stars"]["metrics"]["cohen_kappa"]["per_pair"]
    assert pair["n"] == 1 and pair["value"] is None and "chance agreement is 1" in pair["reason"]
    assert report.add_task(2, {1: "not a list", 2: None}) is True


def test_rotated_boxes_use_the_items_image_size() -> None:
    def turned_box(x: float, y: float, w: float, h: float, rotation: float) -> dict[str, Any]:
        item = box(x, w)
        item["value"].update(y=y, height=h, rotation=rotation)
        return {**item, "original_width": 200, "original_height": 100}

    report = AgreementReport(CONFIG, controls=["box"])
    # 10% x 20% of a 200x100 image is a 20 px square; turned 90 degrees it covers the square to its left.
    report.add_task(1, {1: [turned_box(50, 50, 10, 20, 90)], 2: [turned_box(40, 50, 10, 20, 0)]})
    assert metric(report, "box", "f1")["value"] == 1.0
    assert metric(report, "box", "mean_iou")["value"] == pytest.approx(1.0)
