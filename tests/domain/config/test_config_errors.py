"""parse_config refuses bad configs with a ConfigError that names the tag and the reason."""

import time

import pytest

from tessera.domain.config import parse_config
from tessera.domain.config.xmltree import MAX_CONFIG_BYTES, MAX_DEPTH
from tessera.domain.errors import ConfigError


def refused(xml: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(xml)
    return info.value


def test_entity_bomb_is_refused_fast():
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    for i in range(1, 10):
        bomb += f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
    bomb += ']>\n<View><Text name="t" value="&lol9;"/></View>'
    started = time.perf_counter()
    error = refused(bomb)
    assert time.perf_counter() - started < 1
    assert "DTD and entities are not allowed" in error.detail


def test_external_entity_is_refused():
    xml = '<!DOCTYPE v [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><View><Text name="t" value="&xxe;"/></View>'
    assert "DTD and entities are not allowed" in refused(xml).detail


def test_any_doctype_is_refused():
    assert "DTD" in refused('<!DOCTYPE View><View><Text name="t" value="$t"/></View>').detail


def test_undefined_entity_is_malformed():
    assert "not well-formed" in refused('<View><Text name="t" value="&foo;"/></View>').detail


def test_malformed_xml():
    error = refused('<View><Text name="t" value="$t"></View>')
    assert "not well-formed" in error.detail and "line 1" in error.detail


def test_empty_and_non_string():
    assert "empty" in refused("   ").detail
    assert "string" in refused(None).detail  # type: ignore[arg-type]


def test_size_limit():
    padding = "<!--" + "x" * MAX_CONFIG_BYTES + "-->"
    assert "larger than" in refused(f'<View><Text name="t" value="$t"/>{padding}</View>').detail


def test_nesting_limit():
    deep = "<View>" * (MAX_DEPTH + 1) + "</View>" * (MAX_DEPTH + 1)
    assert "nested more than" in refused(deep).detail
    parse_config("<View>" * 50 + '<Text name="t" value="$t"/>' + "</View>" * 50)


def test_root_must_be_view():
    error = refused('<Text name="t" value="$t"/>')
    assert error.tag == "Text" and "<View>" in error.detail


def test_unknown_tag():
    error = refused('<View><Text name="t" value="$t"/><Sparkle name="s" toName="t"/></View>')
    assert error.tag == "Sparkle"
    assert error.detail.startswith('<Sparkle name="s">: unknown tag')
    assert "line 1" in error.detail


def test_unknown_lower_case_tag_that_is_not_html():
    assert refused('<View><Text name="t" value="$t"/><blink>hi</blink></View>').tag == "blink"


def test_errors_name_the_line():
    xml = """<View>
  <Text name="t" value="$t"/>

  <Choices name="c" toName="x">
  <Choice value="A"/></Choices>
</View>"""
    assert refused(xml).detail == '<Choices name="c">: toName "x" names no object tag (line 4)'


def test_object_without_name():
    error = refused('<View><Text value="$t"/></View>')
    assert error.tag == "Text" and "needs a name" in error.detail


def test_control_without_name():
    error = refused('<View><Text name="t" value="$t"/><Choices toName="t"><Choice value="A"/></Choices></View>')
    assert error.tag == "Choices" and "needs a name" in error.detail


def test_duplicate_name():
    error = refused('<View><Text name="t" value="$a"/>\n<Image name="t" value="$b"/></View>')
    assert error.detail.startswith('<Image name="t">: the name "t" is already used by <Text> on line 1')


def test_duplicate_name_between_object_and_control():
    error = refused('<View><Text name="t" value="$a"/><TextArea name="t" toName="t"/></View>')
    assert error.tag == "TextArea"


def test_to_name_that_names_no_object():
    error = refused(
        '<View><Text name="text" value="$t"/>'
        '<Choices name="sentiment" toName="txt"><Choice value="A"/></Choices></View>'
    )
    assert error.detail.startswith('<Choices name="sentiment">: toName "txt" names no object tag')
    assert error.tag == "Choices"


def test_to_name_that_names_a_control_is_not_an_object():
    error = refused(
        '<View><Text name="t" value="$t"/><Labels name="l" toName="t"><Label value="A"/></Labels>'
        '<Choices name="c" toName="l"><Choice value="A"/></Choices></View>'
    )
    assert 'toName "l" names no object tag' in error.detail


def test_comma_separated_to_name_checks_every_name():
    error = refused('<View><Text name="a" value="$a"/><Pairwise name="pw" toName="a,c"/></View>')
    assert 'toName "c" names no object tag' in error.detail


@pytest.mark.parametrize("tag", ["Choices", "Labels", "RectangleLabels", "Taxonomy", "TimeSeriesLabels"])
def test_control_without_options(tag):
    error = refused(f'<View><Text name="t" value="$t"/><{tag} name="c" toName="t"></{tag}></View>')
    assert error.tag == tag and "has no <" in error.detail and "options" in error.detail


@pytest.mark.parametrize("dynamic", ['value="$options"', 'apiUrl="https://example.com/tax.json"'])
def test_dynamic_options_need_no_children(dynamic):
    parse_config(f'<View><Text name="t" value="$t"/><Taxonomy name="c" toName="t" {dynamic}/></View>')


def test_controls_without_options_by_nature_are_fine():
    parse_config(
        '<View><Text name="t" value="$t"/><TextArea name="a" toName="t"/><Rating name="r" toName="t"/>'
        '<List name="l" value="$items"/><Ranker name="rank" toName="l"/></View>'
    )


def test_object_without_value():
    error = refused('<View><Image name="img"/></View>')
    assert error.detail.startswith('<Image name="img">: an object tag needs a value')


def test_option_outside_a_control():
    error = refused('<View><Text name="t" value="$t"/><Choice value="A"/></View>')
    assert error.tag == "Choice"
    assert error.detail == '<Choice value="A">: must be inside a control tag (line 1)'


def test_option_without_value():
    error = refused('<View><Text name="t" value="$t"/><Labels name="l" toName="t"><Label/></Labels></View>')
    assert error.tag == "Label" and 'needs a value, inside <Labels name="l">' in error.detail


def test_relation_outside_relations():
    error = refused(
        '<View><Text name="t" value="$t"/><Labels name="l" toName="t"><Relation value="r"/></Labels></View>'
    )
    assert "inside <Relations>" in error.detail


def test_filter_to_name_must_exist():
    error = refused('<View><Text name="t" value="$t"/><Filter name="f" toName="nope"/></View>')
    assert error.tag == "Filter" and 'toName "nope"' in error.detail


def test_error_carries_field_errors_for_the_api():
    error = refused("<View><Bogus/></View>")
    assert error.field_errors == {"label_config": [error.detail]}
