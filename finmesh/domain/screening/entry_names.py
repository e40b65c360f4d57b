"""The distinct names an entry is screened under: its primary name, strong and weak
aliases, each as normalised and, when written in another script, in its words' other
readings."""

from __future__ import annotations

from finmesh.domain.screening.model import ListEntry
from finmesh.domain.screening.normalise import NormalName, normalise_name
from finmesh.domain.screening.scoring import Strength


def entry_names(entry: ListEntry) -> list[tuple[Strength, str, NormalName]]:
    """The entry's distinct names, strongest first; names that normalise to nothing dropped."""
    seen: set[tuple[str, ...]] = set()
    names: list[tuple[Strength, str, NormalName]] = []
    listed = [
        *((Strength.PRIMARY, entry.name),),
        *((Strength.ALIAS, alias) for alias in entry.aliases),
        *((Strength.WEAK_ALIAS, alias) for alias in entry.weak_aliases),
    ]
    for strength, text in listed:
        normal = normalise_name(text)
        for form in (normal, _other_reading(normal)):
            if form is not None and form.tokens and form.tokens not in seen:
                seen.add(form.tokens)
                names.append((strength, text, form))
    return names


def _other_reading(normal: NormalName) -> NormalName | None:
    """A listed name written in another script, in its words' other readings ("Банк
    развития" also as "bank development"), so that a name screened in English finds it."""
    if not normal.alternatives:
        return None
    tokens = tuple(
        alternatives[0] if alternatives else token
        for token, alternatives in zip(normal.tokens, normal.alternatives, strict=True)
    )
    abjad = tuple(a and not alt for a, alt in zip(normal.abjad, normal.alternatives, strict=True))
    return NormalName(tokens, abjad, (), normal.surname_words)
