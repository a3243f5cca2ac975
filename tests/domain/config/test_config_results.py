"""validate_result: small cases, one rule each."""

import pytest

from tessera.domain.config import parse_config, validate_result
from tessera.domain.errors import ResultError

CONFIG = parse_config("""
<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
  <Choices name="topics" toName="text" choice="multiple"><Choice value="a"/><Choice value="b"/></Choices>
  <Choices name="dyn" toName="text" value="$options"/>
  <TextArea name="comment" toName="text"/>
  <Rating name="stars" toName="text" maxRating="10"/>
  <Number name="num" toName="text" min="0" max="5"/>
  <DateTime name="dt" toName="text"/>
  <Taxonomy name="tax" toName="text"><Choice value="Animal"><Choice value="Mammal"/></Choice></Taxonomy>
  <Relations><Relation value="knows"/></Relations>
  <Text name="a" value="$a"/><Text name="b" value="$b"/>
  <Pairwise name="pw" toName="a,b"/>
  <List name="items" value="$items"/>
  <Ranker name="rank" toName="items"/>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Cat"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Cat"/></PolygonLabels>
  <Rectangle name="rect" toName="img"/>
  <Labels name="imglabels" toName="img"><Label value="Dog"/></Labels>
</View>
""")
DATA = {"text": "Alice met Bob.", "items": [{"id": "i1"}, {"id": "i2"}]}


def item(from_name, type_, value, to_name="text", **extra):
    return {
        "id": extra.pop("id", "r1"),
        "from_name": from_name,
        "to_name": to_name,
        "type": type_,
        "value": value,
    } | extra


def choice(*values, name="sentiment"):
    return item(name, "choices", {"choices": list(values)})


def span(start, end, *labels):
    return item("ner", "labels", {"start": start, "end": end, "labels": list(labels or ["PER"])})


def box(**geometry):
    value = {"x": 10, "y": 10, "width": 20, "height": 20, "rectanglelabels": ["Cat"]} | geometry
    return item("box", "rectanglelabels", value, to_name="img")


def error(result, data=None) -> ResultError:
    with pytest.raises(ResultError) as info:
        validate_result(CONFIG, result, data)
    return info.value


def test_empty_result_is_valid():
    validate_result(CONFIG, [])


def test_result_must_be_a_list():
    assert "must be a list" in error({"choices": ["Positive"]}).detail


def test_item_must_be_an_object():
    err = error([choice("Positive"), "Positive"])
    assert (err.index, err.detail) == (1, "result[1]: must be an object, not str")


@pytest.mark.parametrize("key", ["from_name", "to_name", "type", "value"])
def test_item_needs_its_keys(key):
    broken = choice("Positive")
    del broken[key]
    assert error([broken]).detail == f'result[0]: missing "{key}"'


def test_unknown_from_name():
    assert error([item("nope", "choices", {"choices": ["A"]})]).detail.startswith('result[0].from_name: "nope"')


def test_to_name_must_be_a_to_name_of_the_control():
    assert error([item("sentiment", "choices", {"choices": ["Positive"]}, to_name="a")]).detail.startswith(
        'result[0].to_name: "a" is not a toName of "sentiment"'
    )


def test_odd_json_is_refused_not_crashed_on():
    assert "to_name" in error([item("sentiment", "choices", {"choices": ["Positive"]}, to_name=["text"])]).detail
    assert "whole number" in error([item("stars", "rating", {"rating": float("inf")})]).detail
    assert "must be a number" in error([box(x=float("nan"))]).detail
    assert "from_name" in error([item({"a": 1}, "choices", {})]).detail


def test_type_must_fit_the_control():
    detail = error([item("sentiment", "labels", {"choices": ["Positive"]})]).detail
    assert detail.startswith('result[0].type: "labels" does not fit <Choices> "sentiment"')


def test_type_is_compared_case_insensitively():
    validate_result(CONFIG, [item("sentiment", "Choices", {"choices": ["Positive"]})])


def test_value_must_be_an_object():
    assert error([item("sentiment", "choices", ["Positive"])]).detail == "result[0].value: must be an object"


def test_choices():
    validate_result(CONFIG, [choice("Positive"), choice("a", "b", name="topics")])
    err = error([choice("Positive"), choice("Maybe")])
    assert (err.index, err.detail) == (1, 'result[1].value.choices: "Maybe" is not a choice of "sentiment"')


def test_single_choice_takes_one_value():
    assert "takes one choice, got 2" in error([choice("Positive", "Negative")]).detail


def test_dynamic_choices_accept_any_value():
    validate_result(CONFIG, [choice("anything", name="dyn")])


def test_choices_must_be_strings():
    assert error([item("sentiment", "choices", {"choices": "Positive"})]).detail.endswith("must be a list of strings")


def test_missing_value_key():
    assert error([item("sentiment", "choices", {"labels": ["x"]})]).detail == 'result[0].value: missing "choices"'


def test_span_label_must_be_known():
    assert error([span(0, 5, "LOC")], DATA).detail == 'result[0].value.labels: "LOC" is not a label of "ner"'


def test_labels_on_text_need_start_and_end():
    assert error([item("ner", "labels", {"labels": ["PER"]})]).detail == 'result[0].value: missing "start"'


def test_textarea():
    validate_result(CONFIG, [item("comment", "textarea", {"text": ["fine", "really"]})])
    assert "list of strings" in error([item("comment", "textarea", {"text": "fine"})]).detail


def test_rating_range():
    validate_result(CONFIG, [item("stars", "rating", {"rating": 10}), item("stars", "rating", {"rating": 1})])
    assert (
        error([item("stars", "rating", {"rating": 11})]).detail
        == 'result[0].value.rating: 11 is outside 1..10 of "stars"'
    )
    assert "outside" in error([item("stars", "rating", {"rating": 0})]).detail
    assert "whole number" in error([item("stars", "rating", {"rating": 2.5})]).detail


def test_number_range():
    validate_result(CONFIG, [item("num", "number", {"number": 0}), item("num", "number", {"number": 4.5})])
    assert error([item("num", "number", {"number": 6})]).detail == 'result[0].value.number: 6 is outside 0..5 of "num"'
    assert "must be a number" in error([item("num", "number", {"number": True})]).detail


def test_datetime():
    validate_result(CONFIG, [item("dt", "datetime", {"datetime": "2024-01-31"})])
    assert "non-empty string" in error([item("dt", "datetime", {"datetime": 20240131})]).detail


def test_taxonomy_paths():
    validate_result(CONFIG, [item("tax", "taxonomy", {"taxonomy": [["Animal"], ["Animal", "Mammal"]]})])
    detail = error([item("tax", "taxonomy", {"taxonomy": [["Mammal"]]})]).detail
    assert detail == "result[0].value.taxonomy: ['Mammal'] is not a path of the taxonomy \"tax\""


def test_pairwise():
    for to_name in ("a", "b", "a,b"):
        validate_result(CONFIG, [item("pw", "pairwise", {"selected": "left"}, to_name=to_name)])
    assert '"left" or "right"' in error([item("pw", "pairwise", {"selected": "up"}, to_name="a")]).detail


def test_ranker_item_ids_are_checked_against_the_task():
    ranked = item("rank", "ranker", {"ranker": {"rank": ["i2", "i1"]}}, to_name="items")
    validate_result(CONFIG, [ranked], DATA)
    ghost = item("rank", "ranker", {"ranker": {"rank": ["i3"]}}, to_name="items")
    assert error([ghost], DATA).detail == 'result[0].value.ranker.rank: "i3" is not an item id of the task'


def test_relation_links_two_regions_of_the_result():
    relation = {"from_id": "s1", "to_id": "s2", "type": "relation", "direction": "right", "labels": ["knows"]}
    result = [span(0, 5) | {"id": "s1"}, span(10, 13) | {"id": "s2"}, relation]
    validate_result(CONFIG, result, DATA)
    assert error(result[:1] + [relation]).detail == 'result[1].to_id: no region with id "s2" in this result'
    assert '"hates" is not a <Relation>' in error(result[:2] + [relation | {"labels": ["hates"]}]).detail
    assert "direction" in error(result[:2] + [relation | {"direction": "up"}]).detail


def test_error_index_and_field_errors():
    err = error([choice("Positive"), choice("Positive"), choice("Maybe")])
    assert err.index == 2
    assert err.field_errors == {"result": [err.detail]}


def test_chat_messages_are_results_of_the_chat_itself():
    config = parse_config('<View><Chat name="chat" value="$chat"/><TextArea name="note" toName="chat"/></View>')
    message = {
        "from_name": "chat",
        "to_name": "chat",
        "type": "chatmessage",
        "value": {"chatmessage": {"role": "user", "content": "hi"}},
    }
    validate_result(config, [message])
    with pytest.raises(ResultError, match="role and content"):
        validate_result(config, [message | {"value": {"chatmessage": {"role": "user"}}}])


CHAT = parse_config("""
<View>
  <Chat name="chat" value="$chat"/>
  <Text name="text" value="$text"/>
  <Choices name="outcome" toName="chat" perRegion="true"><Choice value="Good"/><Choice value="Bad"/></Choices>
  <Rating name="stars" toName="chat" perRegion="true"/>
  <Choices name="topic" toName="text" perRegion="true"><Choice value="Good"/></Choices>
</View>
""")
CHAT_DATA = {"chat": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}], "text": "t"}


def test_per_message_answers_name_the_message_by_id_and_index():
    added = item("chat", "chatmessage", {"chatmessage": {"role": "user", "content": "more"}}, "chat", id="m1")
    on_task_message = item("outcome", "choices", {"messageIndex": 1, "choices": ["Good"]}, "chat", id="chat-1")
    on_added_message = item("stars", "rating", {"messageIndex": 2, "rating": 4}, "chat", id="m1")
    validate_result(CHAT, [added, on_task_message, on_added_message], CHAT_DATA)
    validate_result(CHAT, [on_task_message])  # without the task's data only the shape is checked


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (item("outcome", "choices", {"messageIndex": 3, "choices": ["Good"]}, "chat"), "past the last message"),
        (item("outcome", "choices", {"messageIndex": -1, "choices": ["Good"]}, "chat"), "integer >= 0"),
        (item("outcome", "choices", {"messageIndex": "1", "choices": ["Good"]}, "chat"), "integer >= 0"),
        (item("outcome", "choices", {"messageIndex": 2, "choices": ["Good"]}, "chat", id="other"), "id of the message"),
        (item("topic", "choices", {"messageIndex": 0, "choices": ["Good"]}, "text"), "only answers about a <Chat>"),
    ],
)
def test_per_message_answers_must_point_at_a_message(answer, message):
    added = item("chat", "chatmessage", {"chatmessage": {"role": "user", "content": "more"}}, "chat", id="m1")
    with pytest.raises(ResultError, match=message):
        validate_result(CHAT, [added, answer], CHAT_DATA)
