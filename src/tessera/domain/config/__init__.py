"""The labeling-config language: Label Studio's XML, parsed, checked, and used to check results.

The API and service layers call only what is exported here.
"""

from functools import lru_cache

from tessera.domain.config.model import ControlTag, LabelConfig, ObjectTag
from tessera.domain.config.parse import parse_config
from tessera.domain.config.results import validate_result
from tessera.domain.config.shorthand import expand_prediction_shorthand


@lru_cache(maxsize=256)
def cached_config(xml: str) -> LabelConfig:
    """`parse_config` for configs already stored (so known valid): parsed once per process, not per request."""
    return parse_config(xml)


__all__ = [
    "cached_config",
    "ControlTag",
    "LabelConfig",
    "ObjectTag",
    "expand_prediction_shorthand",
    "parse_config",
    "validate_result",
]
