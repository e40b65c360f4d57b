"""How much each word of a listed name counts: rare words identify, common words do not.

A word's weight is its inverse document frequency over all names of the lists screened
against, scaled to (0, 1]: a word in one name weighs 1, a word in every name almost 0.
Words that are common in names of any list (``GENERIC_WORDS``: "bank", "trading",
"international", ...) are capped at ``GENERIC_WEIGHT_MAX`` even in a small list where
they happen to be rare (a screened form of them too, ``screened_weight``); grammatical words
(``STOPWORDS``: "the", "of", ...) and name particles (``PARTICLES``: "bin", "al", "van",
...) weigh almost nothing, and so do initials. So "PAO Bank" can never match "Bank
Rossiya" on "bank" alone.

In a person's name of three or more words, the middle words (patronymics, second given
names) count ``MIDDLE_NAME_FACTOR`` of their weight, and an Arabic nasab ("bin X", "son
of X") ``NASAB_FACTOR``: lists and payments alike drop them ("Igor Sechin" for "Igor
Ivanovich Sechin"). Screened names get the same factors, so a middle name the list lacks
costs little too.
"""

from __future__ import annotations

import math
import re

from finmesh.domain.screening.syllables import syllable_keys
from finmesh.domain.screening.word_forms import STEMS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GENERIC_WEIGHT_MAX = 0.25
STOPWORD_WEIGHT = 0.03
PARTICLE_WEIGHT = 0.08
INITIAL_WEIGHT = 0.08
MIDDLE_NAME_FACTOR = 0.3
NASAB_FACTOR = 0.15
NASAB_PARTICLES = frozenset({"bin", "ibn", "bint", "ben", "ould", "binti"})

STOPWORDS = _words(
    "the of and for de la le les du des del della di da do dos das y e et und der die das fur"
    " van von zu of to in on at by with an a"
)
PARTICLES = _words("al el ul bin ibn ben bint abu abou ould mac mc st saint")
TITLES = _words(
    "haji hajji hadji alhaji alhaj mufti shaykh shaikh sheikh sheik shaik qari mullah mulla"
    " mawlawi maulvi molvi maulawi maulana mawlana moulana ustadh ustaz ayatollah"
    " dr doctor prof professor mr mrs ms sir general gen colonel col lt major maj brigadier"
    " captain capt rtd"
)
"""Titles before a person's names (Arabic, Persian, Urdu and Pashto honorifics as
romanised, English and military ones): lists and payments add or leave them out ("MOHAMMAD,
Haji Baz" and "MOHAMMAD, Baz"). Before another given name, a title counts
``TITLE_FACTOR`` of its weight and the name after it counts as the first
(``positional_factors``); alone ("TAYSIR, Hajji") or as a surname ("SHEIKH, Hamad") it is
the name."""
TITLE_FACTOR = 0.1
GENERIC_WORDS = _words(
    "bank banka banca banco banque bankasi group groupe grupo holding holdings company"
    " trading trade international national general industrial industries industry investment"
    " investments invest capital finance financial fund funds credit commercial state federal"
    " republic central development export import services service management enterprise"
    " enterprises corporation united global energy oil gas petroleum shipping marine maritime"
    " logistics transport construction engineering technology technologies systems solutions"
    " resources mining metals chemical agro trust partners associates insurance securities"
    " exchange business office center centre ministry authority organization organisation"
    " foundation association institute university society limited production manufacturing"
    " plant factory research scientific academy unitary public joint stock open closed russian"
    " russia iran syria korea concern ventures establishment hawala foreign"
)


def idf_weight(document_frequency: int, names: int) -> float:
    """log(1 + N/df) / log(1 + N): 1 for a word in one name, towards 0 for common words."""
    if names <= 1:
        return 1.0
    return math.log1p(names / max(document_frequency, 1)) / math.log1p(names)


def screened_weight(word: str, listed: float) -> float:
    """The weight of a screened word whose listed weight is ``listed``: a form of a common
    word of institution names (``word_forms``) weighs no more than a generic word, so
    "OSLEG MINES" is the listed "OSLEG" ("mines" is rare in the list, as "mining" is
    not). Listed names keep their weights: "EUROPE TRANSPORTATION" is not "UBS Europe"."""
    return min(listed, GENERIC_WEIGHT_MAX) if word in STEMS else listed


def word_weight(word: str, idf: float) -> float:
    """The weight of ``word`` given its idf weight (see the module docstring)."""
    if word in STOPWORDS:
        return STOPWORD_WEIGHT
    if word in PARTICLES:
        return PARTICLE_WEIGHT
    if len(word) == 1:
        return INITIAL_WEIGHT
    if word in GENERIC_WORDS:
        return min(idf, GENERIC_WEIGHT_MAX)
    return idf


PATRONYMIC = re.compile(
    r"(?:[oe]vi?t?s?ch|[oe]witsch|[oe]v[n]a|[oe]wna|ichna|ilyich|ilich"
    r"|[oey]vych|[iy]vna|avich|a[wu]na|avna)$"
)
"""East Slavic patronymics: Russian ("Ivanovich", "Sergeevna", German "Iwanowitsch",
"Ilyich"), Ukrainian ("Anatoliyovych", "Mykolaivna") and Belarusian ("Uladzimiravich",
"Aliaksandrawna")."""
PATRONYMIC_FACTOR = 0.15
"""A patronymic among a person's middle names counts like a nasab: payments written in
Latin letters leave it out more often than not ("TYURIN, Vladimir" for "TYURIN, Vladimir
Anatolyevich")."""


SYLLABIC_NAME_WORDS_MIN = 3
"""Fewest words of a person's name written one Korean or Chinese syllable a word whose
words all count in full (``syllabic``)."""


def syllabic(words: tuple[str, ...]) -> bool:
    """Whether a person's name is written one Korean or Chinese syllable a word ("KIM,
    Yong Chol", "HO, Chun Ting"): its given syllables make one given name, so neither is a
    middle name ("KIM, Yong" is someone else than "KIM, Yong Chol")."""
    return len(words) >= SYLLABIC_NAME_WORDS_MIN and all(map(syllable_keys, words))


SECOND_SURNAME_FACTOR = 0.5
"""A surname word after the first (a maternal surname, the second part of a compound
surname): payments often drop it ("CARRIZALEZ RENGIFO" written "Carrizalez")."""


def positional_factors(
    words: tuple[str, ...], person: bool, surname_words: int = 0, *, listed: bool = True
) -> tuple[float, ...]:
    """Per-position weight factors of a name: middle words of a person's name count less,
    an Arabic nasab ("bin Abd al-Rahman": son of) least; a patronymic always counts as a
    middle name, so "Kulakov Nikolay Evgenevich" (Russian order) weighs like "Nikolay
    Evgenevich Kulakov" (unless another word is a patronymic: "Ilia Grigorevich
    Abramovich" has its surname last). A name written "SURNAME, Given names" says which
    words are the surname (the last ``surname_words``): they are not middle names,
    whatever their number ("FAKHRIZADEH-MAHABADI, Mohsen"). A listed patronymic counts
    ``PATRONYMIC_FACTOR``, a screened one (not ``listed``) as a middle name: left out it
    costs little, written it says whose child the person is. The syllables of a Korean or
    Chinese name all count in full (``syllabic``)."""
    if person and syllabic(words):
        return (1.0,) * len(words)
    if person and 0 < surname_words < len(words):
        return _structured_factors(words, surname_words, listed)
    titles = leading_titles(words) if person and len(words) > 2 else 0
    if not person or len(words) - titles < 2:
        return (1.0,) * len(words)
    if len(words) - titles == 2:
        return (*(TITLE_FACTOR,) * titles, 1.0, 1.0)
    if PATRONYMIC.search(words[-1]) and not any(PATRONYMIC.search(w) for w in words[titles:-1]):
        last = PATRONYMIC_FACTOR if listed else MIDDLE_NAME_FACTOR
        return (*(TITLE_FACTOR,) * titles, *(1.0,) * (len(words) - titles - 1), last)
    factors = [*(TITLE_FACTOR,) * titles, 1.0]
    in_nasab = False
    for word in words[titles + 1 : -1]:
        in_nasab = in_nasab or word in NASAB_PARTICLES
        factors.append(_middle_factor(word, in_nasab, listed))
    return (*factors, 1.0)


def _middle_factor(word: str, in_nasab: bool, listed: bool) -> float:
    if in_nasab:
        return NASAB_FACTOR
    return PATRONYMIC_FACTOR if listed and PATRONYMIC.search(word) else MIDDLE_NAME_FACTOR


def leading_titles(words: tuple[str, ...]) -> int:
    """How many of the first words are titles ("Haji", "Lt", "Col"), short of all of them."""
    count = 0
    while count < len(words) - 1 and words[count] in TITLES:
        count += 1
    return count


def _structured_factors(
    words: tuple[str, ...], surname_words: int, listed: bool
) -> tuple[float, ...]:
    given, surname = words[:-surname_words], words[-surname_words:]
    titles = leading_titles(given)
    factors = [*(TITLE_FACTOR,) * titles, 1.0]
    in_nasab = False
    for word in given[titles + 1 :]:
        in_nasab = in_nasab or word in NASAB_PARTICLES
        factors.append(_middle_factor(word, in_nasab, listed))
    seen_surname = False
    for word in surname:
        particle = word in PARTICLES or word in NASAB_PARTICLES
        factors.append(SECOND_SURNAME_FACTOR if seen_surname and not particle else 1.0)
        seen_surname = seen_surname or not particle
    return tuple(factors)
