"""Inter-annotator agreement: pure functions and accumulators, no database and no I/O.

`AgreementReport` is what services use; the metric functions are exported for tests and other callers.
"""

from tessera.domain.agreement.alpha import LEVELS, Coincidences, krippendorff_alpha
from tessera.domain.agreement.answers import ControlFamily, control_families
from tessera.domain.agreement.nominal import FleissCounts, PairTable, cohen_kappa, fleiss_kappa
from tessera.domain.agreement.ranking import kendall_tau
from tessera.domain.agreement.regions import MatchCounts, Region, box_iou, match_regions, span_iou
from tessera.domain.agreement.report import (
    ALL_METRICS,
    DEFAULT_THRESHOLD,
    METRICS_BY_FAMILY,
    AgreementReport,
)
from tessera.domain.agreement.scores import Score

__all__ = [
    "ALL_METRICS",
    "AgreementReport",
    "Coincidences",
    "ControlFamily",
    "DEFAULT_THRESHOLD",
    "FleissCounts",
    "LEVELS",
    "METRICS_BY_FAMILY",
    "MatchCounts",
    "PairTable",
    "Region",
    "Score",
    "box_iou",
    "cohen_kappa",
    "control_families",
    "fleiss_kappa",
    "kendall_tau",
    "krippendorff_alpha",
    "match_regions",
    "span_iou",
]
