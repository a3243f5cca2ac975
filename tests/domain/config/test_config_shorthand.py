"""expand_prediction_shorthand: the short forms of a prediction's result (LS_COMPAT.md)."""

import pytest

from tessera.domain.config import expand_prediction_shorthand, parse_config, validate_result
from tessera.domain.errors import ResultError

CONFIG = parse_config("""
<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/></Labels>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
  <TextArea name="summary" toName="text"/>
  <Rating name="stars" toName="text"/>
  <Number name="score" toName="text"/>
</View>
""")


def expand(result, config=CONFIG):
    items = expand_prediction_shorthand(config, result)
    validate_result(config, items)
    return items


def test_a_list_is_returned_as_is():
    result = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
    assert expand_prediction_shorthand(CONFIG, result) is result


def test_a_dict_is_the_value_of_the_first_control_of_that_type():
    (item,) = expand({"choices": ["Negative"]})
    assert {k: item[k] for k in ("from_name", "to_name", "type", "value")} == {
        "from_name": "sentiment",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["Negative"]},
    }
    assert isinstance(item["id"], str) and item["id"]


def test_a_dict_can_be_keyed_by_the_answer_key():
    (item,) = expand({"text": ["a summary"]})
    assert (item["from_name"], item["type"]) == ("summary", "textarea")
    (rating,) = expand({"rating": 4})
    assert rating["from_name"] == "stars"


def test_a_dict_with_span_labels():
    (item,) = expand({"start": 0, "end": 5, "labels": ["PER"]})
    assert (item["from_name"], item["type"]) == ("ner", "labels")


def test_a_string_goes_to_the_first_choices_or_textarea():
    (item,) = expand("Positive")
    assert (item["from_name"], item["type"], item["value"]) == (
        "sentiment",
        "choices",
        {"choices": ["Positive"]},
    )
    only_text = parse_config('<View><Text name="t" value="$t"/><TextArea name="ta" toName="t"/></View>')
    (item,) = expand("written", only_text)
    assert (item["type"], item["value"]) == ("textarea", {"text": ["written"]})


def test_an_integer_goes_to_the_first_rating_or_number():
    (item,) = expand(4)
    assert (item["from_name"], item["value"]) == ("stars", {"rating": 4})
    numbers = parse_config('<View><Text name="t" value="$t"/><Number name="n" toName="t"/></View>')
    (item,) = expand(7, numbers)
    assert (item["type"], item["value"]) == ("number", {"number": 7})


def test_a_float_goes_to_the_first_number():
    (item,) = expand(0.5)
    assert (item["from_name"], item["value"]) == ("score", {"number": 0.5})


def test_pairwise_to_name_is_joined():
    config = parse_config(
        '<View><Text name="a" value="$a"/><Text name="b" value="$b"/><Pairwise name="pw" toName="a,b"/></View>'
    )
    (item,) = expand({"selected": "right"}, config)
    assert item["to_name"] == "a,b"


def test_no_control_can_hold_it():
    labels_only = parse_config(
        '<View><Text name="t" value="$t"/><Labels name="l" toName="t"><Label value="A"/></Labels></View>'
    )
    with pytest.raises(ResultError, match="Choices> or <TextArea"):
        expand_prediction_shorthand(labels_only, "Positive")
    with pytest.raises(ResultError, match="no control"):
        expand_prediction_shorthand(CONFIG, {"polygonlabels": ["x"]})


@pytest.mark.parametrize("bad", [None, True, b"bytes", 1j])
def test_other_types_are_refused(bad):
    with pytest.raises(ResultError, match="must be a list, an object, a string or a number"):
        expand_prediction_shorthand(CONFIG, bad)
