"""Rule sets, and the book of those a network switched on.

``iso20022`` applies to every message; the CBPR+ sets apply to messages whose AppHdr
BizSvc names that service. A network lists the sets it enforces in network.json
(``rule_sets``); a set left out is not checked. A message whose BizSvc has no set gets
the base set only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from finmesh.domain.errors import FinmeshError
from finmesh.domain.rules import checks
from finmesh.domain.rules.checks import Rule
from finmesh.domain.rules.facts import Facts

BASE_SET = "iso20022"
_SERVICES_KEPT_MAX = 1_000
"""BizSvc values whose rules a book keeps at hand (any text may come in a header)."""

_BASE: tuple[Rule, ...] = (
    checks.currency_codes,
    checks.minor_units,
    checks.bic_codes,
    checks.iban_check,
    checks.uetr_format,
    checks.date_ranges,
)
_CBPR: tuple[Rule, ...] = (
    checks.no_commodities,
    checks.header_agents,
    checks.uetr_required,
    checks.creation_dates,
)
CBPR_SERVICES = (
    "swift.cbprplus.02",
    "swift.cbprplus.03",
    "swift.cbprplus.cov.03",
    "swift.cbprplus.stp.03",
    "swift.cbprplus.adv.03",
)

RULE_SETS: dict[str, tuple[Rule, ...]] = {
    BASE_SET: _BASE,
    **{service: _CBPR for service in CBPR_SERVICES},
}
"""Set name (``iso20022`` or a BizSvc) -> its rules, run in order."""


class UnknownRuleSet(FinmeshError):
    """A network configuration names a rule set this version does not know."""


class RuleBook:
    """The rule sets one network enforces."""

    def __init__(self, enabled: Iterable[str] | None = None) -> None:
        names = tuple(RULE_SETS) if enabled is None else tuple(enabled)
        unknown = [n for n in names if n not in RULE_SETS]
        if unknown:
            raise UnknownRuleSet(f"unknown rule sets {unknown}; known: {sorted(RULE_SETS)}")
        self.enabled = frozenset(names)
        self._for_service: dict[str | None, tuple[Rule, ...]] = {}
        """BizSvc -> its rules (``rules_for``), for the services met so far."""

    def rules_for(self, business_service: str | None) -> tuple[Rule, ...]:
        found = self._for_service.get(business_service)
        if found is None:
            found = self._rules_for(business_service)
            if len(self._for_service) < _SERVICES_KEPT_MAX:
                self._for_service[business_service] = found
        return found

    def _rules_for(self, business_service: str | None) -> tuple[Rule, ...]:
        base = RULE_SETS[BASE_SET] if BASE_SET in self.enabled else ()
        if business_service in self.enabled and business_service != BASE_SET:
            return (*base, *RULE_SETS[business_service])
        return base

    def check(
        self,
        header: etree._Element,
        document: etree._Element,
        msg_def_id: str,
        business_service: str | None,
        now: datetime | None = None,
    ) -> None:
        """Raise Rejected at the first rule the schema-valid message breaks."""
        facts = self.begin(header, document, msg_def_id, business_service, now)
        if facts is None:
            return
        facts.sort(document.iter(etree.Element))
        self.check_facts(facts.complete())

    def begin(
        self,
        header: etree._Element,
        document: etree._Element,
        msg_def_id: str,
        business_service: str | None,
        now: datetime | None = None,
    ) -> Facts | None:
        """The facts of the AppHdr, for a walk over the Document to complete (see
        ``Facts.begin``), or None when no rule applies to this business service."""
        if not self.rules_for(business_service):
            return None
        return Facts.begin(header, document, msg_def_id, business_service, now)

    def check_facts(self, facts: Facts) -> None:
        """Raise Rejected at the first rule a message with these (complete) facts breaks."""
        for rule in self.rules_for(facts.business_service):
            rule(facts)
