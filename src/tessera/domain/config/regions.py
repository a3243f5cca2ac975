"""Checks of where a region is: shapes on images (in percent) and spans in text, audio and time series.

Text offsets. Label Studio stores `start`/`end` of a span in `<Text>` as character offsets into the task's
text, `end` exclusive. Python counts characters as Unicode code points, the editor (JavaScript) as UTF-16
code units; the two differ once the text holds characters outside the Basic Multilingual Plane (most
emoji). Tessera accepts a span when it fits the text in code points, and also when it only fits in UTF-16
code units (so results made by Label Studio's editor on such texts still import); it never rewrites offsets.
"""

from __future__ import annotations

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


def _check_text_span(check: Check, start: Any, end: Any) -> None:
    for key, offset in (("start", start), ("end", end)):
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise check.fail(key, f"must be a character offset (an integer >= 0), got {offset!r}")
    if start > end:
        raise check.fail("end", f"{end} is before start {start}")
    text = _text_of(check)
    if text is None or end <= len(text):
        return
    utf16 = len(text.encode("utf-16-le")) // 2
    if end > utf16:
        raise check.fail("end", f"{end} is past the end of the text ({len(text)} characters)")


def check_span(check: Check) -> None:
    """`start`/`end` of spans: character offsets in text, seconds in audio and video, time in series."""
    value = check.value
    if "start" not in value and "end" not in value:
        return
    start, end = value.get("start"), value.get("end")
    media = check.media
    if media == "text":
        _check_text_span(check, start, end)
    elif media in ("html", "paragraphs", "pdf"):
        for key in ("start", "end"):
            if key in value and not (isinstance(value[key], str) or is_number(value[key])):
                raise check.fail(key, f"must be a path or index, got {value[key]!r}")
        for key in ("startOffset", "endOffset"):
            if key in value and not (isinstance(value[key], int) and value[key] >= 0):
                raise check.fail(key, f"must be an integer >= 0, got {value[key]!r}")
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
