"""Forms of one given name that no spelling rule relates: the everyday short forms of
Greek and Spanish names and the Ukrainian and Belarusian forms of a few Russian ones.

"Nikos" is how a Greek "Nikolaos" is called and often written, "Nacho" a Spanish
"Ignacio", "Kateryna" (Ukrainian) is the Russian "Ekaterina", "Nadia" the Russian
"Nadezhda". ``slavic_names.GIVEN_NAMES`` holds the East Slavic names across languages;
``OTHER_GIVEN_NAMES`` adds these, written for this project from the names' ordinary use
(not taken from a list). A short form that stands for several names ("Beto": Roberto
and Alberto) is left out: it would relate names that are not one. ``Vocabulary`` files
each form under the name's first form, as for the East Slavic names. ``ABBREVIATIONS``
are the written short forms of a name ("Mohd" for Muhammad).
"""

from __future__ import annotations

from finmesh.domain.screening.slavic_names import GIVEN_NAMES

OTHER_GIVEN_NAMES: tuple[tuple[str, ...], ...] = tuple(
    tuple(group.split())
    for group in (
        # Greek: formal and everyday forms
        "nikolaos nikos nikolas",
        "konstantinos kostas kostis",
        "georgios giorgos yiorgos",
        "dimitrios dimitris",
        "ioannis giannis yiannis",
        "panagiotis panos",
        "athanasios thanasis",
        "vasileios vasilis",
        "evangelos vangelis",
        "spyridon spyros",
        "emmanouil manolis",
        "charalampos babis",
        # Spanish: hypocorisms that pay slips and aliases use
        "ignacio nacho",
        "francisco paco pancho",
        "jose pepe",
        "jesus chucho",
        "guillermo memo",
        "enrique quique",
        "manuel manolo",
        "wenceslao wencho",
        "rafael rafa",
        "eduardo lalo",
        "rosario chayo",
        "refugio cuco",
        # Russian with Ukrainian and Belarusian forms and the usual short form
        "ekaterina yekaterina kateryna katsiaryna katerina katia",
        "nadezhda nadiya nadzeya nadia",
        "anastasiya anastasia nastya",
    )
)
"""Each tuple: the forms of one given name (the first names it)."""


ABBREVIATIONS = {"mohd": "muhammad", "muhd": "muhammad", "mhd": "muhammad", "md": "muhammad"}
"""Written abbreviations of a given name: Malaysian, Bangladeshi and Syrian documents and
payments shorten Muhammad to "Mohd", "Md", "Mhd" ("FAIZ, Mohd Karim" for "FAIZ, Mohammed
Karim"). A screened abbreviation is also read as the name; a listed one is filed under
the name's vowel key (``Vocabulary``)."""


def expansions(word: str) -> tuple[str, ...]:
    """The name ``word`` abbreviates, if it is an abbreviation (else none)."""
    name = ABBREVIATIONS.get(word)
    return (name,) if name else ()


def canonical_forms() -> dict[str, str]:
    """Each form of ``slavic_names.GIVEN_NAMES`` and ``OTHER_GIVEN_NAMES`` -> the
    name's first form."""
    return {form: forms[0] for forms in (*GIVEN_NAMES, *OTHER_GIVEN_NAMES) for form in forms}
