"""validate_result: spans in <Paragraphs> (paragraph indexes and offsets into their texts) and in <HyperText>
(xpaths with offsets, and globalOffsets into the document's text), from ParagraphLabels, HyperTextLabels and
plain <Labels>."""

import pytest

from tessera.domain.config import parse_config, validate_result
from tessera.domain.errors import ResultError

CONFIG = parse_config("""
<View>
  <Paragraphs name="dialog" value="$dialog" layout="dialogue" textKey="says"/>
  <ParagraphLabels name="tags" toName="dialog"><Label value="Q"/><Label value="A"/></ParagraphLabels>
  <Choices name="tone" toName="dialog" perRegion="true"><Choice value="Calm"/></Choices>
  <HyperText name="html" value="$html"/>
  <HyperTextLabels name="ner" toName="html"><Label value="PER"/></HyperTextLabels>
  <Labels name="plain" toName="html"><Label value="ORG"/></Labels>
</View>
""")
DATA = {
    "dialog": [{"author": "Zoë", "says": "Hi 👋 there"}, {"author": "Bob", "says": "Fine."}],  # 10 and 5 characters
    "html": "<p>a <b>bold</b> word</p><p>😀 end</p>",  # text: "a bold word😀 end", 16 characters
}


def para(value, labels=("Q",)):
    return {"id": "r1", "from_name": "tags", "to_name": "dialog", "type": "paragraphlabels",
            "value": value | {"paragraphlabels": list(labels)}}  # fmt: skip


def html(value, labels=("PER",), from_name="ner", type_="hypertextlabels"):
    key = "labels" if type_ == "labels" else type_
    return {"id": "h1", "from_name": from_name, "to_name": "html", "type": type_, "value": value | {key: list(labels)}}


SPAN = {"start": "0", "end": "1", "startOffset": 3, "endOffset": 5, "text": "👋 there\nFine."}
XSPAN = {"start": "/p[1]/text()[1]", "end": "/p[1]/b[1]/text()[1]", "startOffset": 0, "endOffset": 4,
         "globalOffsets": {"start": 0, "end": 6}, "text": "a bold"}  # fmt: skip


def error(result, data=DATA) -> str:
    with pytest.raises(ResultError) as info:
        validate_result(CONFIG, result, data)
    return info.value.detail


def test_paragraph_spans_as_label_studio_and_its_sdk_write_them():
    tone = {
        "id": "r1",
        "from_name": "tone",
        "to_name": "dialog",
        "type": "choices",
        "value": SPAN | {"choices": ["Calm"]},
    }
    validate_result(CONFIG, [para(SPAN), tone], DATA)
    validate_result(CONFIG, [para({"start": 1, "end": 1})], DATA)  # ParagraphLabels.label(utterance=1)
    validate_result(CONFIG, [para(SPAN | {"endOffset": 5})], DATA)
    validate_result(CONFIG, [para({"start": "0", "end": "0", "startOffset": 3, "endOffset": 11})], DATA)  # UTF-16
    validate_result(CONFIG, [para(SPAN | {"start": "7", "end": "9"})])  # no data: only the form is checked


def test_paragraph_spans_stay_inside_the_paragraphs():
    assert error([para(SPAN | {"end": "2"})]) == (
        "result[0].value.end: paragraph 2 is past the last paragraph (2 paragraphs)"
    )
    assert error([para(SPAN | {"start": "1", "end": "0"})]) == (
        "result[0].value.end: paragraph 0 is before start paragraph 1"
    )
    assert error([para(SPAN | {"endOffset": 6})]) == (
        "result[0].value.endOffset: 6 is past the end of paragraph 1 (5 characters)"
    )
    assert error([para(SPAN | {"startOffset": 12})]) == (
        "result[0].value.startOffset: 12 is past the end of paragraph 0 (10 characters)"
    )
    same = {"start": "0", "end": "0", "startOffset": 4, "endOffset": 2}
    assert error([para(same)]) == "result[0].value.endOffset: 2 is before startOffset 4"
    assert "must be a paragraph index" in error([para(SPAN | {"start": "first"})])
    assert "must be a paragraph index" in error([para(SPAN | {"start": -1})])
    assert "integer >= 0" in error([para(SPAN | {"startOffset": 1.5})])
    assert error([para(SPAN, labels=("Z",))]) == 'result[0].value.paragraphlabels: "Z" is not a label of "tags"'
    assert error([para({"start": "0"})]) == 'result[0].value: missing "end"'


def test_hypertext_spans_as_label_studio_writes_them():
    validate_result(CONFIG, [html(XSPAN)], DATA)
    validate_result(CONFIG, [html(XSPAN, ("ORG",), "plain", "labels")], DATA)
    validate_result(CONFIG, [html({"start": "/p[2]/text()[1]", "end": "/p[2]/text()[1]", "startOffset": 0,
                                   "endOffset": 2, "globalOffsets": {"start": 11, "end": 12}})], DATA)  # fmt: skip
    validate_result(CONFIG, [html({"start": "/div/p[1]/text()", "end": "/div/p[1]/text()"})], DATA)
    validate_result(CONFIG, [html({"start": "", "end": "", "globalOffsets": {"start": 0, "end": 16}})], DATA)


def test_hypertext_spans_are_checked():
    assert error([html(XSPAN, ("ORG",))]) == 'result[0].value.hypertextlabels: "ORG" is not a label of "ner"'
    assert error([html(XSPAN | {"start": "p[1]/text()[1]"})]).startswith("result[0].value.start: must be an xpath")
    assert error([html(XSPAN | {"end": "/p[1]/script()"})]).startswith("result[0].value.end: must be an xpath")
    assert error([html(XSPAN | {"start": None})]).startswith("result[0].value.start: must be an xpath or an offset")
    same = XSPAN | {"end": XSPAN["start"], "startOffset": 3, "endOffset": 1}
    assert error([html(same)]) == "result[0].value.endOffset: 1 is before startOffset 3"
    assert error([html(XSPAN | {"globalOffsets": {"start": 0, "end": 18}})]) == (
        "result[0].value.globalOffsets.end: 18 is past the end of the text (16 characters)"
    )
    assert error([html(XSPAN | {"globalOffsets": {"start": 5, "end": 2}})]) == (
        "result[0].value.globalOffsets.end: 2 is before start 5"
    )
    assert "must be {start, end}" in error([html(XSPAN | {"globalOffsets": [0, 6]})])
    assert "must be {start, end}" in error([html(XSPAN | {"globalOffsets": {"start": 0}})])
    assert "integer >= 0" in error([html(XSPAN | {"endOffset": -1})])
    assert error([html({"start": "/p[1]/text()[1]"})]) == 'result[0].value: missing "end"'
