"""OpenAI-compatible chat completions, as data: the request body, the reply's texts, messages from task data,
and the reply items stored in task data. No HTTP here (`services/chat_calls.py` sends what this builds).

A generated reply is stored in `task.data[output_field]` as a list of items, the shape a `<List>` or
`<Ranker>` tag reads:

    {"id": "r1", "body": "the text", "model": "gpt-x", "params": {"temperature": 0.7}, "created_at": "…Z"}
"""

from __future__ import annotations

from typing import Any

from tessera.domain.errors import InvalidInput

ROLES = ("system", "user", "assistant")
# Sampling parameters passed through to the endpoint, with what each must be.
PARAMS: dict[str, str] = {
    "temperature": "a number from 0 to 2",
    "top_p": "a number from 0 to 1",
    "max_tokens": "a positive integer",
    "presence_penalty": "a number from -2 to 2",
    "frequency_penalty": "a number from -2 to 2",
    "seed": "an integer",
    "stop": "a string or a list of strings",
}
MAX_MESSAGES = 200
MAX_CONTENT_CHARS = 200_000


class BadCompletion(ValueError):
    """The endpoint answered 2xx with something that is not a chat completion."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def param_problem(name: str, value: Any) -> str | None:
    """Why `value` is no good for the sampling parameter `name`, or None when it is."""
    if name not in PARAMS:
        return f"unknown parameter; use {', '.join(PARAMS)}"
    ok = {
        "temperature": _number(value) and 0 <= value <= 2,
        "top_p": _number(value) and 0 <= value <= 1,
        "max_tokens": isinstance(value, int) and not isinstance(value, bool) and value > 0,
        "presence_penalty": _number(value) and -2 <= value <= 2,
        "frequency_penalty": _number(value) and -2 <= value <= 2,
        "seed": isinstance(value, int) and not isinstance(value, bool),
        "stop": isinstance(value, str) or (isinstance(value, list) and all(isinstance(s, str) for s in value)),
    }[name]
    return None if ok else f"must be {PARAMS[name]}"


def check_messages(value: Any, where: str = "messages") -> list[dict[str, str]]:
    """`value` as a list of `{role, content}` messages; InvalidInput naming `where` when it is not one."""
    if isinstance(value, str):
        value = [{"role": "user", "content": value}]
    problem = None
    if not isinstance(value, list) or not value:
        problem = "must be a string or a non-empty list of {role, content} messages"
    elif len(value) > MAX_MESSAGES:
        problem = f"must have at most {MAX_MESSAGES} messages"
    else:
        for i, m in enumerate(value):
            if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
                problem = f"message {i} must be {{role: {'|'.join(ROLES)}, content: string}}"
                break
            if len(m["content"]) > MAX_CONTENT_CHARS:
                problem = f"message {i} is longer than {MAX_CONTENT_CHARS} characters"
                break
    if problem:
        raise InvalidInput(f"{where} {problem}", field_errors={where: [problem]})
    return [{"role": m["role"], "content": m["content"]} for m in value]


def prompt_messages(data: dict[str, Any], field: str, system_prompt: str | None) -> list[dict[str, str]]:
    """The messages for a task: `data[field]` as a string (one user message) or a list of messages, after the
    system prompt when one is given."""
    if field not in data:
        raise InvalidInput(f"the task has no data.{field}", field_errors={"prompt_field": ["missing in task"]})
    messages = check_messages(data[field], where=f"data.{field}")
    return ([{"role": "system", "content": system_prompt}] if system_prompt else []) + messages


def completion_body(model: str, messages: list[dict[str, str]], params: dict[str, Any], n: int = 1) -> dict[str, Any]:
    """The JSON body of `POST {base_url}/chat/completions`."""
    body: dict[str, Any] = {"model": model, "messages": messages, **params}
    if n != 1:
        body["n"] = n
    return body


def completion_texts(body: Any) -> tuple[list[str], str | None]:
    """The texts of `choices[].message.content`, and the model the endpoint says answered (if it does)."""
    if not isinstance(body, dict) or not isinstance(body.get("choices"), list) or not body["choices"]:
        raise BadCompletion("the answer has no choices")
    texts = []
    for i, choice in enumerate(body["choices"]):
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str):
            raise BadCompletion(f"choices[{i}].message.content is not text")
        texts.append(content)
    model = body.get("model")
    return texts, model if isinstance(model, str) and model else None


def reply_items(texts: list[str], *, model: str, params: dict[str, Any], created_at: str) -> list[dict[str, Any]]:
    """The stored shape of generated replies (see the module docstring): ids r1, r2, … in order."""
    return [
        {"id": f"r{i}", "body": text, "model": model, "params": dict(params), "created_at": created_at}
        for i, text in enumerate(texts, start=1)
    ]


def lacks(data: dict[str, Any], field: str) -> bool:
    """True when a task has no output yet in `field` (absent, null, empty string or empty list)."""
    return data.get(field) in (None, "", [])
