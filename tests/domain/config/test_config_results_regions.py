"""validate_result: where regions are (shapes in percent of the image, spans in the text)."""

import pytest

from tessera.domain.config import parse_config, validate_result
from tessera.domain.errors import ResultError

CONFIG = parse_config("""
<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Image name="img" value="$image"/>
  <RectangleLabels name="box" toName="img"><Label value="Cat"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="Cat"/></PolygonLabels>
  <Rectangle name="rect" toName="img"/>
  <Labels name="imglabels" toName="img"><Label value="Dog"/></Labels>
  <Audio name="audio" value="$audio"/>
  <Labels name="sound" toName="audio"><Label value="Speech"/></Labels>
  <Video name="video" value="$video"/>
  <VideoRectangle name="track" toName="video"/>
  <Labels name="vlabels" toName="video"><Label value="Car"/></Labels>
</View>
""")
DATA = {"text": "Alice met Bob."}


def item(from_name, type_, value, to_name="text", **extra):
    return {"id": "r1", "from_name": from_name, "to_name": to_name, "type": type_, "value": value} | extra


def span(start, end, *labels):
    return item("ner", "labels", {"start": start, "end": end, "labels": list(labels or ["PER"])})


def box(**geometry):
    value = {"x": 10, "y": 10, "width": 20, "height": 20, "rectanglelabels": ["Cat"]} | geometry
    return item("box", "rectanglelabels", value, to_name="img")


def error(result, data=None) -> ResultError:
    with pytest.raises(ResultError) as info:
        validate_result(CONFIG, result, data)
    return info.value


def test_text_span_checks_offsets_against_the_text():
    validate_result(CONFIG, [span(0, 5), span(10, 14, "ORG")], DATA)
    validate_result(CONFIG, [span(0, 500)])  # no data: offsets only checked for order
    assert error([span(0, 15)], DATA).detail == "result[0].value.end: 15 is past the end of the text (14 characters)"
    assert error([span(5, 2)], DATA).detail == "result[0].value.end: 2 is before start 5"
    assert "integer >= 0" in error([span(-1, 2)], DATA).detail
    assert "integer >= 0" in error([span(1.5, 2)], DATA).detail


def test_text_span_offsets_may_count_utf16_units():
    data = {"text": "hi 😀 there"}  # 10 code points, 11 UTF-16 code units
    validate_result(CONFIG, [span(0, 10)], data)
    validate_result(CONFIG, [span(3, 11)], data)
    assert "past the end" in error([span(0, 12)], data).detail


def test_rectangle_geometry():
    validate_result(CONFIG, [box(), box(x=0, y=0, width=100, height=100), box(x=100.0000000001)])
    assert error([box(x=101)]).detail.startswith("result[0].value.x: 101 is outside 0..100")
    assert error([box(width=-1)]).detail.startswith("result[0].value.width: -1 is outside 0..100")
    assert "must be a number" in error([box(y="10")]).detail


def test_polygon_points():
    points = {"points": [[10, 10], [50, 10], [50, 60]], "polygonlabels": ["Cat"]}
    validate_result(CONFIG, [item("poly", "polygonlabels", points, to_name="img")])
    bad = {"points": [[10, 10], [50, 120]], "polygonlabels": ["Cat"]}
    assert error([item("poly", "polygonlabels", bad, to_name="img")]).detail.startswith(
        "result[0].value.points[1][1]: 120 is outside 0..100"
    )


def test_shape_tool_with_labels_in_merged_and_split_form():
    geometry = {"x": 1, "y": 2, "width": 3, "height": 4}
    merged = item("imglabels", "rectanglelabels", geometry | {"rectanglelabels": ["Dog"]}, to_name="img")
    split = [
        item("rect", "rectangle", geometry, to_name="img"),
        item("imglabels", "labels", {"labels": ["Dog"]}, to_name="img"),
    ]
    validate_result(CONFIG, [merged, *split])
    wrong = item("imglabels", "rectanglelabels", geometry | {"rectanglelabels": ["Cat"]}, to_name="img")
    assert '"Cat" is not a label of "imglabels"' in error([wrong]).detail


def test_labelled_shape_without_labels_is_the_bare_type():
    validate_result(CONFIG, [item("box", "rectangle", {"x": 1, "y": 2, "width": 3, "height": 4}, to_name="img")])


def test_audio_segments_are_seconds():
    validate_result(CONFIG, [item("sound", "labels", {"start": 1.25, "end": 3.5, "labels": ["Speech"]}, "audio")])
    late = item("sound", "labels", {"start": 3.5, "end": 1.25, "labels": ["Speech"]}, "audio")
    assert error([late]).detail == "result[0].value.end: 1.25 is before start 3.5"
    early = item("sound", "labels", {"start": -1, "end": 1, "labels": ["Speech"]}, "audio")
    assert error([early]).detail == "result[0].value.start: -1 is negative"


def test_video_tracks_check_every_keyframe_and_take_labels_from_a_sibling():
    frames = [{"frame": 1, "x": 10, "y": 10, "width": 20, "height": 20, "time": 0.04}]
    track = {"framesCount": 100, "duration": 4.0, "sequence": frames, "labels": ["Car"]}
    validate_result(CONFIG, [item("track", "videorectangle", track, "video")])
    wrong = track | {"labels": ["Bus"]}
    assert '"Bus" is not a label of "track"' in error([item("track", "videorectangle", wrong, "video")]).detail
    off = track | {"sequence": [frames[0] | {"x": 150}]}
    detail = error([item("track", "videorectangle", off, "video")]).detail
    assert detail.startswith("result[0].value.sequence[0].x: 150 is outside 0..100")
