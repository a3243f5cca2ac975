"""Matching two annotators' regions (text spans, image boxes) and scoring the match.

Two regions can match when they carry the same labels (compared as sets) and their overlap, as
intersection over union, is at least the threshold (and above zero, so threshold 0 means "any overlap").
Pairs are matched one to one, greedily by descending IoU (ties by the regions' order), as COCO's detection
evaluation does. Greedy can leave a pair unmatched that a maximum matching would keep when one region
overlaps two others almost equally; in exchange it is simple to explain and runs in n·m·log(n·m).

Spans are [start, end) character offsets. Boxes are (x, y, width, height) in percent of the image, plus
Label Studio's `rotation` in degrees about the top-left corner and the image's size in pixels: unrotated
boxes compare as axis-aligned rectangles (percent or pixels give the same IoU), rotated ones as polygons in
pixels, clipped one against the other (both are convex). Without the image's size, percent stands in for
pixels, as if the image were square.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from tessera.domain.agreement.scores import Score

NO_REGIONS = "neither annotator marked a region"
NO_MATCHES = "no region was matched"


class Region(NamedTuple):
    """A tuple rather than a dataclass: a big report makes hundreds of thousands of them."""

    labels: frozenset[str]
    geometry: tuple[float, ...]  # (start, end) for spans; (x, y, width, height, rotation, px_w, px_h) for boxes


def span_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """IoU of two boxes: (x, y, width, height) in percent, optionally followed by rotation and image size."""
    if (len(a) > 4 and a[4]) or (len(b) > 4 and b[4]):
        return _rotated_iou(a, b)
    ax, ay, aw, ah = a[:4]
    bx, by, bw, bh = b[:4]
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


Point = tuple[float, float]


def corners(box: tuple[float, ...], width: float, height: float) -> list[Point]:
    """A box's corners in pixels, clockwise on screen, turned by its rotation about the top-left corner."""
    x, y, w, h = box[0] * width / 100, box[1] * height / 100, box[2] * width / 100, box[3] * height / 100
    turn = math.radians(box[4] if len(box) > 4 else 0.0)
    cos, sin = math.cos(turn), math.sin(turn)
    return [(x + dx * cos - dy * sin, y + dx * sin + dy * cos) for dx, dy in ((0, 0), (w, 0), (w, h), (0, h))]


def area(polygon: list[Point]) -> float:
    """Shoelace area (always positive)."""
    total = 0.0
    for i, (x1, y1) in enumerate(polygon):
        x2, y2 = polygon[(i + 1) % len(polygon)]
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def clip(subject: list[Point], window: list[Point]) -> list[Point]:
    """The part of convex polygon `subject` inside convex polygon `window` (Sutherland–Hodgman)."""
    orientation = 1.0 if _signed_area(window) >= 0 else -1.0
    out = subject
    for i, (ex1, ey1) in enumerate(window):
        ex2, ey2 = window[(i + 1) % len(window)]
        if not out:
            break

        def side(p: Point, ex1: float = ex1, ey1: float = ey1, ex2: float = ex2, ey2: float = ey2) -> float:
            return orientation * ((ex2 - ex1) * (p[1] - ey1) - (ey2 - ey1) * (p[0] - ex1))

        points, out = out, []
        for j, current in enumerate(points):
            previous = points[j - 1]
            s_cur, s_prev = side(current), side(previous)
            if s_cur >= 0:
                if s_prev < 0:
                    out.append(_cross(previous, current, s_prev, s_cur))
                out.append(current)
            elif s_prev >= 0:
                out.append(_cross(previous, current, s_prev, s_cur))
    return out


def _signed_area(polygon: list[Point]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True))


def _cross(p: Point, q: Point, sp: float, sq: float) -> Point:
    t = sp / (sp - sq)
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def _rotated_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = a[5] if len(a) > 6 else 100.0
    height = a[6] if len(a) > 6 else 100.0
    pa, pb = corners(a, width, height), corners(b, width, height)
    inter = area(clip(pa, pb)) if pa and pb else 0.0
    union = area(pa) + area(pb) - inter
    return inter / union if union > 0 and inter > 0 else 0.0


def iou(a: Region, b: Region) -> float:
    return span_iou(a.geometry, b.geometry) if len(a.geometry) == 2 else box_iou(a.geometry, b.geometry)


def match_regions(first: list[Region], second: list[Region], threshold: float) -> list[tuple[int, int, float]]:
    """(index in first, index in second, IoU) of the matched pairs, one to one, greedy by IoU."""
    if not first or not second:
        return []
    if len(first[0].geometry) == 2:
        candidates = _span_candidates(first, second, threshold)
    else:
        candidates = []
        for i, a in enumerate(first):
            for j, b in enumerate(second):
                if a.labels != b.labels:
                    continue
                overlap = box_iou(a.geometry, b.geometry)
                if overlap > 0 and overlap >= threshold:
                    candidates.append((-overlap, i, j))
    if len(candidates) == 1:
        negative, i, j = candidates[0]
        return [(i, j, -negative)]
    candidates.sort()
    used_first: set[int] = set()
    used_second: set[int] = set()
    matches = []
    for negative, i, j in candidates:
        if i not in used_first and j not in used_second:
            used_first.add(i)
            used_second.add(j)
            matches.append((i, j, -negative))
    return matches


def _span_candidates(first: list[Region], second: list[Region], threshold: float) -> list[tuple[float, int, int]]:
    """(-IoU, i, j) of the span pairs that may match: `span_iou` inlined, as a report calls this for every
    pair of annotators of every task."""
    candidates = []
    for i, (labels, (start, end)) in enumerate(first):
        for j, (other_labels, (other_start, other_end)) in enumerate(second):
            if labels != other_labels:
                continue
            inter = (end if end < other_end else other_end) - (start if start > other_start else other_start)
            if inter <= 0:
                continue
            union = (end if end > other_end else other_end) - (start if start < other_start else other_start)
            overlap = inter / union
            if overlap >= threshold:
                candidates.append((-overlap, i, j))
    return candidates


@dataclass
class MatchCounts:
    """Matched pairs and region counts, summed over tasks (micro-averaged), for one ordered pair or more.

    Precision is matched / first's regions (first's regions that the second confirms), recall matched /
    second's regions; F1 = 2 matched / (first's + second's) does not depend on the order.
    """

    matched: int = 0
    first: int = 0
    second: int = 0
    iou_sum: float = 0.0
    tasks: int = 0
    identical: int = 0  # tasks where every region of both sides was matched (both empty included)

    def add(self, first: list[Region], second: list[Region], threshold: float) -> tuple[int, float, int]:
        """Match one task's regions and add them here; return the task's (matched, IoU sum, identical)."""
        matches = match_regions(first, second, threshold)
        matched = len(matches)
        iou_sum = sum(m[2] for m in matches) if matches else 0.0
        identical = int(matched == len(first) == len(second))
        self.matched += matched
        self.first += len(first)
        self.second += len(second)
        self.iou_sum += iou_sum
        self.tasks += 1
        self.identical += identical
        return matched, iou_sum, identical

    def merge(self, other: MatchCounts) -> None:
        self.matched += other.matched
        self.first += other.first
        self.second += other.second
        self.iou_sum += other.iou_sum
        self.tasks += other.tasks
        self.identical += other.identical

    def reversed(self) -> MatchCounts:
        return MatchCounts(self.matched, self.second, self.first, self.iou_sum, self.tasks, self.identical)

    def precision(self) -> Score:
        if not self.first:
            return Score.undefined("the first annotator marked no region", self.tasks)
        return Score(self.matched / self.first, self.tasks)

    def recall(self) -> Score:
        if not self.second:
            return Score.undefined("the second annotator marked no region", self.tasks)
        return Score(self.matched / self.second, self.tasks)

    def f1(self) -> Score:
        if not self.first + self.second:
            return Score.undefined(NO_REGIONS, self.tasks)
        return Score(2 * self.matched / (self.first + self.second), self.tasks)

    def mean_iou(self) -> Score:
        if not self.matched:
            return Score.undefined(NO_MATCHES, self.tasks)
        return Score(self.iou_sum / self.matched, self.matched)

    def percent(self) -> Score:
        if not self.tasks:
            return Score.undefined("no task was annotated by both")
        return Score(self.identical / self.tasks, self.tasks)
