"""The 69 Label Studio gallery configs parse, and agree with label_studio_sdk used as an oracle."""

import json

import pytest
from lsconfig_files import sample, template_id, template_paths, template_xml

from tessera.domain.config import parse_config
from tessera.domain.config.tags import lookup

TEMPLATES = template_paths()


def test_all_69_templates_are_there():
    assert len(TEMPLATES) == 69


@pytest.mark.parametrize("path", TEMPLATES, ids=template_id)
def test_gallery_config_parses(path):
    config = parse_config(template_xml(path))
    assert config.objects, "every gallery config shows some data"
    assert config.data_fields or all(o.value_field is None for o in config.objects.values())


@pytest.mark.parametrize("path", TEMPLATES, ids=template_id)
def test_names_agree_with_sdk_label_interface(path):
    label_interface = pytest.importorskip("label_studio_sdk.label_interface")
    xml = template_xml(path)
    config = parse_config(xml)
    oracle = label_interface.LabelInterface(xml)
    # The SDK adds a control for each <Chat> (its messages are results of the chat itself).
    chats = {n for n, o in config.objects.items() if o.media == "chat"}
    sdk_controls = set(oracle._controls) - chats
    assert {n for n, c in config.controls.items() if c.to_names} == sdk_controls
    # The SDK counts any tag with name and value as an object, e.g. <Header name="h" value="..."/>.
    sdk_objects = set(oracle._objects)
    assert set(config.objects) <= sdk_objects
    assert all(lookup(oracle._objects[n].tag).role == "visual" for n in sdk_objects - set(config.objects))


@pytest.mark.parametrize("path", TEMPLATES, ids=template_id)
def test_parsed_label_config_equals_sdk_parse_config(path):
    core = pytest.importorskip("label_studio_sdk._extensions.label_studio_tools.core.label_config")
    xml = template_xml(path)
    ours = parse_config(xml).parsed_label_config()
    assert json.dumps(ours) == json.dumps(core.parse_config(xml))  # same content and key order


def test_parsed_label_config_and_weights_match_a_real_project():
    project = sample("project_get.json")["resp"]
    config = parse_config(project["label_config"])
    assert config.parsed_label_config() == project["parsed_label_config"]
    assert config.control_weights() == project["control_weights"]


def test_parsed_label_config_is_a_copy():
    project = sample("project_get.json")["resp"]
    config = parse_config(project["label_config"])
    config.parsed_label_config()["label"]["labels"].append("X")
    assert config.parsed_label_config()["label"]["labels"] == ["PER", "ORG"]
