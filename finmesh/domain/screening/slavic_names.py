"""East Slavic given names across languages, and the Latin letters romanisations swap.

One person is "Aleksandr" in a Russian passport, "Oleksandr" in a Ukrainian one,
"Alyaksandr" or "Aliaksandr" in a Belarusian one, and "Alexander" or "Alexandre" in a
Western payment; "Mykola" is "Nikolai", "Uladzimir" is "Vladimir". No letter rule joins
these, so ``GIVEN_NAMES`` lists each name's forms (written for this project from the
names' ordinary forms in Russian, Ukrainian, Belarusian, English, German and French
usage). ``Vocabulary`` files every listed word that is one of these forms under the
name's first form, and a screened form finds it there (similarity ``SIM_SAME_NAME``).

``latin_readings`` gives the other readings of a Latin word that romanisation systems
make of the same Cyrillic letters, looked up besides the word: Cyrillic "г" is "g" in
Russian romanisation and "h" in Ukrainian and Belarusian ("German" / "Herman",
"Grigoriy" / "Hryhoriy"); "ж" is "j" in French ("Joukov" / "Zhukov").
"""

from __future__ import annotations

import re


def _forms(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group.split()) for group in text.split(";"))


GIVEN_NAMES = _forms(
    "aleksandr alexander alexandr oleksandr alyaksandr aliaksandr alexandre aleksander"
    " alexandru;"
    " aleksey alexey aleksei alexei oleksiy oleksii aliaksei aliaksey alexej alexis;"
    " andrey andrei andriy andrii andrej andrew andre;"
    " anatoliy anatoly anatolii anatol anatolij;"
    " dmitriy dmitry dmitri dmytro dzmitry dzmitryi dmitrij;"
    " yevgeniy evgeny evgeniy yevhen yevgeny evgenii yauhen jewgeni eugene evgueni;"
    " gennadiy gennady hennadiy hennadii henadz gennadi;"
    " georgiy georgy heorhiy yuri yury yuriy iurii yurii jurij youri juri;"
    " grigoriy grigory hryhoriy ryhor grigori hryhorii;"
    " igor ihor ihar;"
    " konstantin kostiantyn kanstantsin konstantyn;"
    " mikhail mykhailo mikhas michail mikhael michel;"
    " nikolay nikolai mykola mikalai nicolas nikolaj;"
    " oleg oleh aleh;"
    " pavel pavlo paval pawel paul;"
    " pyotr petr petro piotr pyatro pierre peter;"
    " sergey sergei serhiy serhii siarhei sergej serguei serge;"
    " vasiliy vasily vasyl vasil wassili;"
    " viktor victor viktar;"
    " vladimir volodymyr uladzimir wladimir;"
    " yelena elena olena alena helen;"
    " irina iryna iryna;"
    " nataliya natalia natalya nataliia natallia;"
    " tatyana tatiana tetiana tatsiana;"
    " yuliya yulia yuliia iulia julia;"
    " olga olha volha;"
    " svetlana svitlana sviatlana;"
    " lyudmila liudmyla ludmila liudmila;"
    " german herman;"
    " gleb hleb;"
    " galina halyna;"
    " ivan iwan ivan yvan"
)
"""Each tuple: the forms of one given name (the first names it)."""

SIM_SAME_NAME = 0.93
"""Similarity of two forms of one given name in ``GIVEN_NAMES``."""

_WORD_CHARS_MIN = 5
_SLAVIC_ENDING = re.compile(
    r"(?:ov|ova|ev|eva|in|ina|sky|ski|skiy|skyi|skaya|ko|ka|vich|vych|wicz|vna|uk|yuk"
    r"|enko|enka|iy|yy|ii|ych|ovna|ivna|auna|awna)$"
)
"""Endings of East Slavic surnames, patronymics and given names as romanised."""
_H_AS_G = re.compile(r"(?<![kzcs])h")
_G_AS_H = re.compile(r"g(?!h)")
_J_AS_ZH = re.compile(r"j(?=[aeiou])")


def latin_readings(word: str) -> tuple[str, ...]:
    """Other romanisations of the Cyrillic a Latin ``word`` may come from (see above);
    only for words with an East Slavic ending ("Hryhorenko", not "Hassan")."""
    if len(word) < _WORD_CHARS_MIN or not word.isalpha() or not _SLAVIC_ENDING.search(word):
        return ()
    readings = []
    if "h" in word:
        readings.append(_H_AS_G.sub("g", word))
    if "g" in word:
        readings.append(_G_AS_H.sub("h", word))
    if "j" in word:
        readings.append(_J_AS_ZH.sub("zh", word))
    return tuple(r for r in readings if r != word)


def canonical_forms() -> dict[str, str]:
    """Each form in ``GIVEN_NAMES`` -> the name's first form."""
    return {form: forms[0] for forms in GIVEN_NAMES for form in forms}
