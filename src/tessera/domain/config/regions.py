"""Checks of where a region is: shapes on images (in percent) and spans in text, audio and time series.

Text offsets. Label Studio stores `start`/`end` of a span in `<Text>` as character offsets into the task's
text, `end` exclusive. Python counts characters as Unicode code points, the editor (JavaScript) as UTF-16
code units; the two differ once the text holds characters outside the Basic Multilingual Plane (most
emoji). Tessera accepts a span when it fits the text in code points, and also when it only fits in UTF-16
code units (so results made by Label Studio's editor on such texts still import); it never rewrites offsets.

Paragraphs. `start`/`end` are paragraph indexes (Label Studio writes "3", its SDK 3), `startOffset`/`endOffset`
character offsets into those paragraphs' texts. HyperText. `start`/`end` are xpaths from the HTML's root to
a text node ("/p[1]/text()[1]") with offsets into that node, and `globalOffsets` {start, end} code points
into the whole document's text. Offsets are checked against the task's data when it is at hand; an xpath is
checked for its form only (resolving it needs a browser's parse of the HTML).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from numbers import Real
from typing import Any

from tessera.domain.config.values import Check, is_number

SLACK = 1e-6  # tolerance of percent coordinates, for float noise such as 100.00000000000001
_PERCENT_KEYS = ("x", "y", "width", "height")
_SHAPE_MEDIA = frozenset({"image", "video", "pdf"})


def _percent(check: Check, key: str, number: Any) -> None:
    if not is_number(number):
        raise check.fail(key, f"must be a number, got {number!r}")
    if not -SLACK <= number <= 100 + SLACK:
        raise check.fail(key, f"{number} is outside 0..100 (percent of the {check.media or 'image'})")


def _box(check: Check, box: dict[str, Any], prefix: str = "") -> None:
    for key in _PERCENT_KEYS:
        if key in box:
            _percent(check, prefix + key, box[key])
    for key in ("radiusX", "radiusY"):
        if key in box:
            _percent(check, prefix + key, box[key])
    if "rotation" in box and not is_number(box["rotation"]):
        raise check.fail(prefix + "rotation", f"must be a number, got {box['rotation']!r}")


def check_geometry(check: Check) -> None:
    """Percent coordinates of image-like regions: x, y, width, height, radii, points, video sequences."""
    value = check.value
    if check.media not in _SHAPE_MEDIA and not any(k in value for k in ("points", "sequence")):
        return
    _box(check, value)
    points = value.get("points")
    if points is not None:
        if not isinstance(points, list):
            raise check.fail("points", "must be a list of [x, y] pairs")
        for j, point in enumerate(points):
            if not isinstance(point, list | tuple) or len(point) != 2:
                raise check.fail(f"points[{j}]", "must be an [x, y] pair")
            _percent(check, f"points[{j}][0]", point[0])
            _percent(check, f"points[{j}][1]", point[1])
    sequence = value.get("sequence")
    if sequence is not None:
        if not isinstance(sequence, list) or not all(isinstance(frame, dict) for frame in sequence):
            raise check.fail("sequence", "must be a list of keyframe objects")
        for j, frame in enumerate(sequence):
            _box(check, frame, f"sequence[{j}].")
            if "frame" in frame and not (isinstance(frame["frame"], int) and frame["frame"] >= 0):
                raise check.fail(f"sequence[{j}].frame", f"must be a frame number, got {frame['frame']!r}")
    rle = value.get("rle")
    if rle is not None and not (isinstance(rle, list) and all(isinstance(b, int) and 0 <= b <= 255 for b in rle)):
        raise check.fail("rle", "must be a list of bytes (integers 0..255)")


def _text_of(check: Check) -> str | None:
    """The task text a `<Text>` span points into, when it is at hand."""
    obj, data = check.obj, check.data
    if obj is None or data is None or obj.value_is_url or obj.value != f"${obj.value_field}":
        return None
    text = data.get(obj.value_field or "")
    return text if isinstance(text, str) else None


def _is_offset(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _fits(offset: int, text: str) -> bool:
    """Whether a character offset lies within `text`, counted in code points or in UTF-16 code units."""
    return offset <= len(text) or offset <= len(text.encode("utf-16-le")) // 2


def _check_text_span(check: Check, start: Any, end: Any) -> None:
    for key, offset in (("start", start), ("end", end)):
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise check.fail(key, f"must be a character offset (an integer >= 0), got {offset!r}")
    if start > end:
        raise check.fail("end", f"{end} is before start {start}")
    text = _text_of(check)
    if text is not None and not _fits(end, text):
        raise check.fail("end", f"{end} is past the end of the text ({len(text)} characters)")


def _offsets(check: Check) -> tuple[int | None, int | None]:
    value = check.value
    for key in ("startOffset", "endOffset"):
        offset = value.get(key)
        if key in value and not _is_offset(offset):
            raise check.fail(key, f"must be an integer >= 0, got {offset!r}")
    return value.get("startOffset"), value.get("endOffset")


def _paragraph_texts(check: Check) -> list[str] | None:
    """The texts of the task's paragraphs a `<Paragraphs>` span points into, when they are at hand."""
    obj, data = check.obj, check.data
    if obj is None or data is None or obj.value_is_url or obj.value != f"${obj.value_field}":
        return None
    listed = data.get(obj.value_field or "")
    if not isinstance(listed, list):
        return None
    key = obj.attrs.get("textKey", "text")
    texts = [p.get(key) if isinstance(p, dict) else p for p in listed]
    return ["" if t is None else t if isinstance(t, str) else str(t) for t in texts]


def _check_paragraph_span(check: Check) -> None:
    value = check.value
    index: dict[str, int] = {}
    for key in ("start", "end"):
        at = value.get(key)
        if key not in value:
            continue
        if isinstance(at, str) and at.isascii() and at.isdigit():
            index[key] = int(at)
        elif _is_offset(at):
            index[key] = at
        else:
            raise check.fail(key, f'must be a paragraph index ("0", "1"...), got {at!r}')
    start_offset, end_offset = _offsets(check)
    if len(index) < 2:
        return
    first, last = index["start"], index["end"]
    if first > last:
        raise check.fail("end", f"paragraph {last} is before start paragraph {first}")
    if first == last and start_offset is not None and end_offset is not None and start_offset > end_offset:
        raise check.fail("endOffset", f"{end_offset} is before startOffset {start_offset}")
    texts = _paragraph_texts(check)
    if texts is None:
        return
    if last >= len(texts):
        raise check.fail("end", f"paragraph {last} is past the last paragraph ({len(texts)} paragraphs)")
    for key, offset, at in (("startOffset", start_offset, first), ("endOffset", end_offset, last)):
        if offset is not None and not _fits(offset, texts[at]):
            raise check.fail(key, f"{offset} is past the end of paragraph {at} ({len(texts[at])} characters)")


_XPATH = re.compile(r"(/[A-Za-z][\w-]*(\[\d+\])?)*(/text\(\)(\[\d+\])?)?")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(check: Check) -> str | None:
    """All the text of the task's HTML (an upper bound of what is shown: script text is counted too)."""
    html = _text_of(check)
    if html is None:
        return None
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


def _check_html_span(check: Check) -> None:
    value = check.value
    for key in ("start", "end"):
        at = value.get(key)
        if key not in value:
            continue
        if isinstance(at, str) and at and not _XPATH.fullmatch(at):
            raise check.fail(key, f'must be an xpath to a text node such as "/p[1]/text()[1]", got {at!r}')
        if not isinstance(at, str) and not (is_number(at) and at >= 0):
            raise check.fail(key, f"must be an xpath or an offset, got {at!r}")
    start_offset, end_offset = _offsets(check)
    same = value.get("start") == value.get("end")
    if same and start_offset is not None and end_offset is not None and start_offset > end_offset:
        raise check.fail("endOffset", f"{end_offset} is before startOffset {start_offset}")
    if "globalOffsets" not in value:
        return
    spread = value["globalOffsets"]
    if not isinstance(spread, dict) or not all(_is_offset(spread.get(k)) for k in ("start", "end")):
        raise check.fail("globalOffsets", "must be {start, end}, character offsets (integers >= 0)")
    if spread["start"] > spread["end"]:
        raise check.fail("globalOffsets.end", f"{spread['end']} is before start {spread['start']}")
    text = _html_text(check)
    if text is not None and not _fits(spread["end"], text):
        raise check.fail("globalOffsets.end", f"{spread['end']} is past the end of the text ({len(text)} characters)")


def check_span(check: Check) -> None:
    """`start`/`end` of spans: character offsets in text, seconds in audio and video, time in series."""
    value = check.value
    if "start" not in value and "end" not in value:
        return
    start, end = value.get("start"), value.get("end")
    media = check.media
    if media == "text":
        _check_text_span(check, start, end)
    elif media == "paragraphs":
        _check_paragraph_span(check)
    elif media == "html":
        _check_html_span(check)
    elif media == "pdf":
        for key in ("start", "end"):
            if key in value and not (isinstance(value[key], str) or is_number(value[key])):
                raise check.fail(key, f"must be a path or index, got {value[key]!r}")
        _offsets(check)
    elif media in ("audio", "video", "timeseries"):
        for key in ("start", "end"):
            bad = not (is_number(value.get(key)) or (media == "timeseries" and isinstance(value.get(key), str)))
            if key in value and bad:
                raise check.fail(key, f"must be a number, got {value[key]!r}")
            if media != "timeseries" and is_number(value.get(key)) and value[key] < 0:
                raise check.fail(key, f"{value[key]} is negative")
        if isinstance(start, Real) and isinstance(end, Real) and start > end:
            raise check.fail("end", f"{end} is before start {start}")


def check_ranges(check: Check) -> None:
    """TimelineLabels: `ranges` of frames, each {start, end} with start <= end."""
    ranges = check.value.get("ranges")
    if ranges is None:
        return
    if not isinstance(ranges, list) or not ranges:
        raise check.fail("ranges", "must be a non-empty list of {start, end}")
    for j, frame_range in enumerate(ranges):
        if not isinstance(frame_range, dict) or not all(is_number(frame_range.get(k)) for k in ("start", "end")):
            raise check.fail(f"ranges[{j}]", "must be {start, end} numbers")
        if frame_range["start"] > frame_range["end"]:
            raise check.fail(f"ranges[{j}].end", f"{frame_range['end']} is before start {frame_range['start']}")
