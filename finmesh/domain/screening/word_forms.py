"""The forms of one common word of institution names, folded to one stem.

Lists and payments name one institution with the common words in different forms:
"SOVFRACHT MANAGING COMPANY" and "SOVFRACHT MANAGEMENT COMPANY", "RAHMAH CHARITABLE
ORGANIZATION" and "AL-RAHMAH CHARITY FOUNDATION", "YAZD METALLURGY INDUSTRIES" and
"YAZD METALLURGICAL INDUSTRIES", "JOZA INDUSTRIAL COMPANY" and "JOZA INDUSTRIES
COMPANY". A plural, an adjective or a verbal noun of a generic word says the same
about the institution, and generic words weigh little (``weights.GENERIC_WORDS``), so
each form is looked up under its family's stem (``vocabulary.SIM_WORD_FORM``), and a
screened form weighs no more than a generic word (``weights.screened_weight``: "OSLEG
MINES" is the listed "OSLEG"). A listed form keeps its weight: made generic there,
"TRANSPORTATION" left "EUROPE" to carry "EUROPE TRANSPORTATION LIMITED", and on the
development half 57 more registry banks came within 0.10 of the threshold ("UBS
Europe").

Only the words of ``FAMILIES`` fold: the English (and a few Spanish) forms of the
common words of institution names (``weights.GENERIC_WORDS``, ``institution_words``),
written for this project. No suffix is stripped from any other word: proper words
change their meaning with their ending ("MARIN", "MARINA"; "HASAN", "HASANI"), and a
country is not its adjective unless the family says so ("IRAN", "IRANIAN"). Left out:
"banking" and "technologies", which on the development half made registry banks of
two-word listed names ("Bank of China" for "HANA BANKING CORPORATION", "TOP TECHNOLOGY
VENTURES" for "TOP TECHNOLOGIES"), "invest" ("M INVEST" is one initial and a
common word), and "network", which as a generic word made "JAMIL, Muhammad" the listed
"MUHAMMAD JAMAL NETWORK".
"""

from __future__ import annotations

FAMILIES = (
    # management and administration
    "management manage managing manager managers managed",
    "administration administrative administrator administrators administrations",
    # trade and business
    "trade trading trades trader traders",
    "export exports exporting exporter exporters",
    "import imports importing importer importers",
    "commerce commercial commercially",
    "business businesses",
    "investment investments investor investors",
    "finance financial finances financing",
    "bank banks",
    "exchange exchanges",
    "insurance insurer insurers",
    "security securities",
    "holding holdings",
    "group groups",
    "enterprise enterprises",
    "partner partners partnership",
    # industry and production
    "industry industries industrial industrials",
    "production productive product products producing producer producers",
    "manufacturing manufacture manufacturer manufacturers",
    "metallurgy metallurgical metallurgic",
    "metal metals metallic",
    "material materials",
    "mining mine mines",
    "mineral minerals",
    "chemical chemicals chemistry",
    "petrochemical petrochemicals",
    "electronic electronics",
    "electric electrical electricity",
    "engineering engineer engineers",
    "construction constructions constructor constructors",
    "innovation innovations innovative",
    "system systems",
    "solution solutions",
    "resource resources",
    "energy energies energetic",
    "factory factories",
    "plant plants",
    "repair repairs",
    "service services",
    "communication communications",
    "telecommunication telecommunications",
    # transport
    "transport transports transportation",
    "logistic logistics",
    "airline airlines",
    "shipping shipment shipments",
    # organisations
    "charity charities charitable",
    "organization organizations organisation organisations",
    "association associations",
    "foundation foundations",
    "society societies",
    "institute institutes",
    "university universities",
    "academy academies",
    "centre center centres centers",
    "office offices",
    "fund funds",
    "revolution revolutionary revolutionaries",
    "development developing",
    "research researches",
    "science sciences scientific",
    "economy economic economical economics",
    "agriculture agricultural agricultura agricola agricolas",
    # states named by institutions, as nouns and adjectives
    "iran iranian",
    "russia russian",
    "syria syrian",
    "korea korean",
    "belarus belarusian",
)
"""Each line one family: the forms of one common word (the first is its stem)."""

STEMS: dict[str, str] = {form: family.split()[0] for family in FAMILIES for form in family.split()}
"""A form of a common word -> its family's stem."""


def stem(word: str) -> str | None:
    """The stem of a common word's form ("managing" -> "management"), None for any
    other word."""
    return STEMS.get(word)
