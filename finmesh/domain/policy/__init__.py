"""Operator measures: disconnections, prohibitions, licences, screening and impact.

Pure values and functions; every instant is passed in as milliseconds since the epoch.
measures.py holds the measure lifecycle, licences.py the exemptions, screening.py where
an entity appears in a message, evaluate.py the per-message decision and impact.py the
what-if report shown before approval.
"""

from finmesh.domain.policy.evaluate import (
    PolicyDecision,
    PolicySnapshot,
    add_usage,
    evaluate,
)
from finmesh.domain.policy.impact import TrafficRecord, impact
from finmesh.domain.policy.licences import (
    Licence,
    LicenceStatus,
    approve_licence,
    licence_covers,
    propose_licence,
)
from finmesh.domain.policy.measures import (
    Action,
    Measure,
    MeasureKind,
    MeasureStatus,
    approve,
    covered_bic8s,
    propose_lift,
    propose_measure,
)
from finmesh.domain.policy.screening import (
    MessageFacts,
    entity_appears,
    names_match,
    normalise_name,
)

__all__ = [
    "Action",
    "Licence",
    "LicenceStatus",
    "Measure",
    "MeasureKind",
    "MeasureStatus",
    "MessageFacts",
    "PolicyDecision",
    "PolicySnapshot",
    "TrafficRecord",
    "add_usage",
    "approve",
    "approve_licence",
    "covered_bic8s",
    "entity_appears",
    "evaluate",
    "impact",
    "licence_covers",
    "names_match",
    "normalise_name",
    "propose_licence",
    "propose_lift",
    "propose_measure",
]
