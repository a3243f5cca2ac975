"""What object-detection datasets (COCO, YOLO) import into: the project's image and the controls its boxes,
polygons and keypoints go to, and the Label Studio results those shapes become.

Coordinates follow Label Studio's converter (`label_studio_sdk.converter.imports`): percent of the image's
size, with `original_width`/`original_height` when the size is known. Each imported image becomes one task
whose shapes are one prediction (to correct) or one annotation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from tessera.domain.config.model import LabelConfig
from tessera.domain.errors import InvalidInput

SHAPES = {"RectangleLabels": "rectangle", "PolygonLabels": "polygon", "KeyPointLabels": "keypoint"}


@dataclass(frozen=True)
class ImageTarget:
    """The data key of the project's image, the image tag's name, and the control per shape kind."""

    data_key: str
    to_name: str
    controls: dict[str, str]  # "rectangle" | "polygon" | "keypoint" -> control name
    labels_as: str = "predictions"  # or "annotations"
    model_version: str = ""
    root_url: str = ""


@dataclass
class ShapeCounts:
    """Shapes the dataset held that the config has no control for: counted, reported, not imported."""

    left_out: dict[str, int] = field(default_factory=dict)

    def leave_out(self, kind: str) -> None:
        self.left_out[kind] = self.left_out.get(kind, 0) + 1


def image_target(config: LabelConfig, *, labels_as: str, model_version: str, root_url: str) -> ImageTarget:
    """The project's one Image tag and its shape controls; refused when there is not exactly one image or no
    control draws boxes, polygons or keypoints on it."""
    if labels_as not in ("predictions", "annotations"):
        raise InvalidInput("labels_as must be predictions or annotations", field_errors={"labels_as": [labels_as]})
    images = [o for o in config.objects.values() if o.tag == "Image" and o.value_field]
    if len(images) != 1:
        detail = "the labeling config has no Image tag" if not images else "the labeling config has several images"
        raise InvalidInput(f"{detail}: a COCO or YOLO dataset imports into a project with one <Image>")
    image = images[0]
    controls: dict[str, str] = {}
    for control in config.controls_of(image.name):
        kind = SHAPES.get(control.tag)
        if kind is not None and kind not in controls:
            controls[kind] = control.name
    if not controls:
        raise InvalidInput(
            f"no RectangleLabels, PolygonLabels or KeyPointLabels control draws on <Image name={image.name!r}>"
        )
    return ImageTarget(str(image.value_field), image.name, controls, labels_as, model_version, root_url)


def image_url(root: str, name: str) -> str:
    """The task's image reference: `name` under `root` (a URL prefix), or `name` itself without a root."""
    if not root:
        return name
    return root + name if root.endswith(("/", "=")) else f"{root}/{name}"


def new_task(target: ImageTarget, name: str, results: list[dict[str, Any]], score: float | None = None) -> dict:
    """One image's task, with its shapes as one prediction or one annotation (none when it has no shapes)."""
    task: dict[str, Any] = {"data": {target.data_key: image_url(target.root_url, name)}}
    if not results:
        return task
    if target.labels_as == "annotations":
        task["annotations"] = [{"result": results, "ground_truth": False}]
    else:
        prediction: dict[str, Any] = {"result": results, "model_version": target.model_version}
        if score is not None:
            prediction["score"] = score
        task["predictions"] = [prediction]
    return task


def _item(target: ImageTarget, kind: str, value: dict[str, Any], size: tuple[float, float] | None) -> dict:
    item: dict[str, Any] = {
        "id": secrets.token_hex(5),
        "type": f"{kind}labels",
        "from_name": target.controls[kind],
        "to_name": target.to_name,
        "image_rotation": 0,
        "value": value,
    }
    if size is not None:
        item["original_width"], item["original_height"] = size
    return item


def rectangle(target: ImageTarget, label: str, box: tuple[float, ...], size: tuple[float, float] | None) -> dict:
    """A box in percent: (x, y, width, height) of its top-left corner and size."""
    x, y, w, h = box
    value = {"x": x, "y": y, "width": w, "height": h, "rotation": 0, "rectanglelabels": [label]}
    return _item(target, "rectangle", value, size)


def polygon(target: ImageTarget, label: str, points: list[list[float]], size: tuple[float, float] | None) -> dict:
    return _item(target, "polygon", {"points": points, "polygonlabels": [label]}, size)


def keypoint(
    target: ImageTarget, label: str, point: tuple[float, float], hidden: bool, size: tuple[float, float] | None
) -> dict:
    value: dict[str, Any] = {"x": point[0], "y": point[1], "width": 1.0, "keypointlabels": [label]}
    if hidden:
        value["hidden"] = True
    return _item(target, "keypoint", value, size)


def number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidInput(f"{where} is not a number")
    return float(value)
