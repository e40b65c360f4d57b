"""Network rules beyond the schema: what a schema-valid message must also satisfy to be
accepted, in rule sets chosen by the header's business service (BizSvc).

Pure domain code. Each rule has its own reason code (family V) and names the element
it refused, as a path of local names (``Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/
IntrBkSttlmAmt/@Ccy``). ``RuleBook`` holds the rule sets a network switched on.
"""

from __future__ import annotations

from finmesh.domain.rules.book import BASE_SET, RULE_SETS, RuleBook

__all__ = ["BASE_SET", "RULE_SETS", "RuleBook"]
