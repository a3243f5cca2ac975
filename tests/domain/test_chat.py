"""Chat-completion shapes: messages from task data, the request body, the reply's texts, stored reply items."""

from __future__ import annotations

import pytest

from tessera.domain.chat import (
    BadCompletion,
    check_messages,
    completion_body,
    completion_texts,
    lacks,
    param_problem,
    prompt_messages,
    reply_items,
)
from tessera.domain.errors import InvalidInput


def test_a_string_prompt_is_one_user_message_after_the_system_prompt() -> None:
    assert prompt_messages({"q": "hi"}, "q", "be brief") == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]


def test_a_list_of_messages_is_sent_as_is_without_extra_keys() -> None:
    chat = [{"role": "user", "content": "a", "id": 1}, {"role": "assistant", "content": "b"}]
    assert prompt_messages({"q": chat}, "q", None) == [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
    ]


@pytest.mark.parametrize("value", [None, [], [{"role": "robot", "content": "x"}], [{"role": "user"}], 3])
def test_bad_messages_name_where_they_are(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_messages(value, where="data.q")
    assert "data.q" in caught.value.field_errors


def test_a_missing_prompt_field_is_named() -> None:
    with pytest.raises(InvalidInput, match="data.q"):
        prompt_messages({}, "q", None)


def test_the_body_carries_model_params_and_n_only_when_not_one() -> None:
    msgs = [{"role": "user", "content": "x"}]
    assert completion_body("m", msgs, {"temperature": 0.5}, 1) == {"model": "m", "messages": msgs, "temperature": 0.5}
    assert completion_body("m", msgs, {}, 3)["n"] == 3


def test_texts_and_model_are_read_from_choices() -> None:
    body = {"model": "gpt-x", "choices": [{"message": {"content": "a"}}, {"message": {"content": "b"}}]}
    assert completion_texts(body) == (["a", "b"], "gpt-x")


@pytest.mark.parametrize("body", [{}, {"choices": []}, {"choices": [{"message": {"content": None}}]}, [1]])
def test_anything_else_is_a_bad_completion(body: object) -> None:
    with pytest.raises(BadCompletion):
        completion_texts(body)


def test_reply_items_are_numbered_from_r1() -> None:
    items = reply_items(["a", "b"], model="m", params={"top_p": 1}, created_at="2026-11-27T10:00:00.000000Z")
    assert [i["id"] for i in items] == ["r1", "r2"]
    assert items[1] == {
        "id": "r2",
        "body": "b",
        "model": "m",
        "params": {"top_p": 1},
        "created_at": "2026-11-27T10:00:00.000000Z",
    }


def test_params_are_checked_by_name() -> None:
    assert param_problem("temperature", 0.3) is None
    assert param_problem("temperature", 3) is not None
    assert param_problem("max_tokens", True) is not None
    assert param_problem("logit_bias", {}) is not None


def test_an_empty_output_counts_as_lacking() -> None:
    assert lacks({}, "o") and lacks({"o": []}, "o") and lacks({"o": ""}, "o")
    assert not lacks({"o": [{"id": "r1"}]}, "o")
