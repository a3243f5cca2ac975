"""Where the config tests find their files: the gallery fixtures in the repo and the shared LS samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TEMPLATES = REPO / "tests" / "fixtures" / "templates"
SHARED = REPO / ".." / "shared"
SAMPLES = SHARED / "label-studio" / "samples"
REPO_SAMPLES = REPO / "tests" / "fixtures" / "ls_samples"  # byte-for-byte copies of some of them


def template_paths() -> list[Path]:
    """The 69 gallery configs copied from Label Studio 1.23.2, as `<group>/<name>/config.yml`."""
    return sorted(TEMPLATES.glob("*/*/config.yml"))


def template_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}"


def template_xml(path: Path) -> str:
    """The `config: |` block of a gallery file (a literal YAML block; no YAML library needed)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "config: |") + 1
    block = []
    for line in lines[start:]:
        if line.strip() and not line.startswith(" "):
            break
        block.append(line)
    first = next(line for line in block if line.strip())
    indent = len(first) - len(first.lstrip(" "))
    return "\n".join(line[indent:] for line in block).strip("\n") + "\n"


def sample(name: str):
    """A JSON sample recorded from a real Label Studio server; skips when ../shared is absent."""
    path = SAMPLES / name if (SAMPLES / name).exists() else REPO_SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} needs the shared Label Studio samples folder")
    return json.loads(path.read_text(encoding="utf-8"))


# The samples `result_examples.json` and `all_tags_*.json` were recorded for a project using every common
# tag; its config is not among the samples, so here it is rebuilt from their from_name / to_name pairs.
ALL_TAGS_XML = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="bbox" toName="image"><Label value="Cat"/><Label value="Dog"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Cat"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="Nose"/></KeyPointLabels>
  <BrushLabels name="brush" toName="image"><Label value="Cat"/></BrushLabels>
  <EllipseLabels name="ell" toName="image"><Label value="Cat"/></EllipseLabels>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>
  <Relations><Relation value="works_at"/></Relations>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
  <TextArea name="comment" toName="text"/>
  <Rating name="rating" toName="text" maxRating="5"/>
  <Number name="num" toName="text" min="0" max="10"/>
  <DateTime name="dt" toName="text" only="date"/>
  <Taxonomy name="tax" toName="text">
    <Choice value="Animal"><Choice value="Mammal"/><Choice value="Bird"/></Choice>
    <Choice value="Plant"/>
  </Taxonomy>
  <Text name="a" value="$a"/>
  <Text name="b" value="$b"/>
  <Pairwise name="pw" toName="a,b"/>
  <List name="items" value="$items" title="Items"/>
  <Ranker name="rank" toName="items"/>
  <HyperText name="html" value="$html"/>
  <HyperTextLabels name="htl" toName="html"><Label value="PER"/></HyperTextLabels>
  <Audio name="audio" value="$audio"/>
  <Labels name="audiolbl" toName="audio"><Label value="Speech"/></Labels>
  <Paragraphs name="dialog" value="$dialog" layout="dialogue"/>
  <ParagraphLabels name="pl" toName="dialog"><Label value="Q"/></ParagraphLabels>
  <TimeSeries name="ts" value="$ts" valueType="json" timeColumn="time"><Channel column="v"/></TimeSeries>
  <TimeSeriesLabels name="tsl" toName="ts"><Label value="Spike"/></TimeSeriesLabels>
  <Video name="video" value="$video"/>
  <VideoRectangle name="vbox" toName="video"/>
  <Labels name="vlabels" toName="video"><Label value="Car"/></Labels>
</View>
"""

ALL_TAGS_DATA = {
    "image": "/data/upload/1/cat.jpg",
    "text": "Alice works at Acme Corp.",
    "a": "left text",
    "b": "right text",
    "items": [{"id": "item1", "title": "one"}, {"id": "item2", "title": "two"}],
    "html": "<p>Alice</p>",
    "audio": "/data/upload/1/a.wav",
    "dialog": [{"author": "A", "text": "How?"}],
    "ts": {"time": [0, 1, 2, 3, 4, 5], "v": [1, 2, 9, 2, 1, 0]},
    "video": "/data/upload/1/v.mp4",
}
