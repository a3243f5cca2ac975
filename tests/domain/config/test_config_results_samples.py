"""validate_result on real results recorded from Label Studio 1.23.2, with label_studio_sdk as an oracle."""

import copy

import pytest
from lsconfig_files import ALL_TAGS_DATA, ALL_TAGS_XML, sample

from tessera.domain.config import parse_config, validate_result
from tessera.domain.errors import ResultError


@pytest.fixture(scope="module")
def config():
    return parse_config(ALL_TAGS_XML)


def test_the_rebuilt_config_is_what_the_sdk_accepts_the_examples_with():
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    examples = list(sample("result_examples.json").values())
    oracle = label_interface.LabelInterface(ALL_TAGS_XML)
    assert oracle._validate_object_logic({"result": examples}) == []


def test_every_result_example_validates(config):
    examples = sample("result_examples.json")
    validate_result(config, list(examples.values()), ALL_TAGS_DATA)
    validate_result(config, list(examples.values()))


@pytest.mark.parametrize("name", ["Choices", "TextArea", "Rating", "RectangleLabels", "Taxonomy", "Ranker"])
def test_each_example_alone_validates(config, name):
    validate_result(config, [sample("result_examples.json")[name]], ALL_TAGS_DATA)


def test_recorded_task_annotations_and_predictions_validate(config):
    task = sample("all_tags_task_get.json")
    for entry in task["annotations"] + task["predictions"]:
        validate_result(config, entry["result"], task["data"])


def test_exported_annotations_validate_except_the_one_ls_stored_unchecked(config):
    (task,) = sample("all_tags_export_JSON.json")
    good, bad = task["annotations"]
    validate_result(config, good["result"], task["data"])
    # Label Studio 1.23.2 accepted this annotation without looking at it; Tessera refuses it.
    assert bad["result"][0]["from_name"] == "nope"
    with pytest.raises(ResultError) as info:
        validate_result(config, bad["result"], task["data"])
    assert info.value.detail == 'result[0].from_name: "nope" is not a control tag of the config'


def test_imported_and_created_results_validate_against_their_project():
    project = parse_config(sample("project_get.json")["resp"]["label_config"])
    imported = sample("import.json")["req_body"][1]
    for entry in imported["annotations"] + imported["predictions"]:
        validate_result(project, entry["result"], imported["data"])
    validate_result(project, sample("annotation_create.json")["req_body"]["result"], {"text": "Alice works"})
    validate_result(project, sample("prediction_create.json")["req_body"]["result"])


LABEL_KEYS = {
    "RectangleLabels": "rectanglelabels",
    "PolygonLabels": "polygonlabels",
    "KeyPointLabels": "keypointlabels",
    "EllipseLabels": "ellipselabels",
    "Labels(Text span)": "labels",
    "Choices": "choices",
    "HyperTextLabels": "hypertextlabels",
    "ParagraphLabels": "paragraphlabels",
    "TimeSeriesLabels": "timeserieslabels",
}


@pytest.mark.parametrize("name", sorted(LABEL_KEYS))
def test_an_unknown_label_is_refused_by_both_tessera_and_the_sdk(config, name):
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    item = copy.deepcopy(sample("result_examples.json")[name])
    item["value"][LABEL_KEYS[name]] = ["Nope"]
    assert label_interface.LabelInterface(ALL_TAGS_XML).validate_region(item, return_errors=True)
    with pytest.raises(ResultError) as info:
        validate_result(config, [item], ALL_TAGS_DATA)
    assert info.value.detail.startswith(f'result[0].value.{LABEL_KEYS[name]}: "Nope" is not a')


@pytest.mark.parametrize(("field", "bad"), [("from_name", "nobody"), ("to_name", "image"), ("type", "labels")])
def test_a_wrong_link_is_refused_by_both(config, field, bad):
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    item = copy.deepcopy(sample("result_examples.json")["Choices"])
    item[field] = bad
    assert label_interface.LabelInterface(ALL_TAGS_XML).validate_region(item, return_errors=True)
    with pytest.raises(ResultError) as info:
        validate_result(config, [item])
    assert info.value.detail.startswith(f"result[0].{field}: ")
