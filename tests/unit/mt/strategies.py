"""Hypothesis strategies for valid MT103 and MT202 / MT202COV messages (self-generated
data: figures from them are labelled as such in docs/mt.md)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from finmesh.domain.mt.formats import format_amount, minor_units

COUNTRIES = ("DE", "GB", "FR", "US", "JP", "CH", "NL", "BE", "SG", "BR")
CURRENCIES = ("EUR", "USD", "JPY", "GBP", "CHF", "KWD")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALNUM = _UPPER + "0123456789"
_WORD = st.text(_ALNUM + ".,-()'?+", min_size=1, max_size=9).filter(
    lambda w: w[0] not in ":-/")


@st.composite
def bics(draw: st.DrawFn) -> str:
    bank = draw(st.text(_UPPER, min_size=4, max_size=4))
    location = draw(st.text(_ALNUM, min_size=2, max_size=2))
    branch = draw(st.sampled_from(["", "XXX"]) | st.text(_ALNUM, min_size=3, max_size=3)
                  .filter(lambda b: not b.startswith("X")))
    return bank + draw(st.sampled_from(COUNTRIES)) + location + branch


@st.composite
def texts(draw: st.DrawFn, width: int) -> str:
    """Words with single spaces, 1..width characters, never starting with ':', '-', '/'."""
    words = draw(st.lists(_WORD, min_size=1, max_size=6))
    line = " ".join(words)[:width].rstrip()
    return line if line and line[0] not in ":-/ " else "A"


def references() -> st.SearchStrategy[str]:
    return st.text(_ALNUM + "-.", min_size=1, max_size=16)


@st.composite
def amounts(draw: st.DrawFn, currency: str) -> str:
    decimals = minor_units(currency)
    units = draw(st.integers(min_value=1, max_value=10 ** 12))
    return format_amount(Decimal(units).scaleb(-decimals))


def accounts() -> st.SearchStrategy[str]:
    return st.sampled_from(["DE89370400440532013000", "GB29NWBK60161331926819"]) | st.text(
        _ALNUM, min_size=1, max_size=20)


@st.composite
def customers(draw: st.DrawFn, tag: str) -> str:
    """50a (A, F, K) or 59a (A, F, no letter) with its lines."""
    option = draw(st.sampled_from(["A", "F", "free"]))
    account = draw(st.none() | accounts())
    first = [f"/{account}"] if account else []
    if option == "A":
        return f":{tag}A:" + "\n".join([*first, draw(bics())])
    if option == "F":
        if tag == "50" and not first:
            first = ["/NOTPROVIDED"]
        lines = [f"1/{draw(texts(33))}", f"2/{draw(texts(33))}",
                 f"3/{draw(st.sampled_from(COUNTRIES))}/{draw(texts(30))}"]
        return f":{tag}F:" + "\n".join([*first, *lines])
    lines = draw(st.lists(texts(35), min_size=1, max_size=4))
    return f":{tag}{'K' if tag == '50' else ''}:" + "\n".join([*first, *lines])


@st.composite
def agents(draw: st.DrawFn, tag: str, options: str = "AD") -> str:
    option = draw(st.sampled_from(list(options)))
    account = draw(st.none() | accounts())
    first = [f"/{account}"] if account else []
    if option == "A":
        return f":{tag}A:" + "\n".join([*first, draw(bics())])
    lines = draw(st.lists(texts(35), min_size=1, max_size=4))
    return f":{tag}D:" + "\n".join([*first, *lines])


@st.composite
def narrative(draw: st.DrawFn, tag: str, lines_max: int) -> str:
    return f":{tag}:" + "\n".join(draw(st.lists(texts(35), min_size=1, max_size=lines_max)))


@st.composite
def information(draw: st.DrawFn) -> str:
    codes = draw(st.lists(st.sampled_from(["ACC", "INS", "REC", "INT"]), min_size=1,
                          max_size=3))
    return ":72:" + "\n".join(f"/{code}/{draw(texts(29))}" for code in codes)


@st.composite
def mt103_texts(draw: st.DrawFn) -> str:
    currency = draw(st.sampled_from(CURRENCIES))
    day = draw(st.dates()).strftime("%y%m%d")
    settled = draw(amounts(currency))
    bearer = draw(st.sampled_from(["SHA", "OUR", "BEN"]))
    charges = bearer == "BEN" or draw(st.booleans())
    fields = [f":20:{draw(references())}"]
    if draw(st.booleans()):
        fields.append(":13C:/CLSTIME/" + draw(st.sampled_from(["0915+0100", "1600-0500"])))
    fields.append(":23B:CRED")
    instruction = draw(st.sampled_from([None, "SDVA", "INTC", "HOLD", "PHOB/0044 20 7946"]))
    if instruction:
        fields.append(f":23E:{instruction}")
    if draw(st.booleans()):
        fields.append(":26T:" + draw(st.sampled_from(["K90", "A01"])))
    fields.append(f":32A:{day}{currency}{settled}")
    if charges:
        fields.append(f":33B:{currency}{draw(amounts(currency))}")
    fields.append(draw(customers("50")))
    for tag, present in (("52", draw(st.booleans())), ("53", draw(st.booleans()))):
        if present:
            fields.append(draw(agents(tag)))
    if draw(st.booleans()):
        fields += [draw(agents("56")), draw(agents("57", "AD"))]
    elif draw(st.booleans()):
        fields.append(draw(agents("57", "AD")))
    fields.append(draw(customers("59")))
    if draw(st.booleans()):
        fields.append(draw(narrative("70", 4)))
    fields.append(f":71A:{bearer}")
    if charges and bearer in ("SHA", "BEN"):
        fields.append(f":71F:{currency}{draw(amounts(currency))}")
    if charges and bearer == "OUR":
        fields.append(f":71G:{currency}{draw(amounts(currency))}")
    if draw(st.booleans()):
        fields.append(draw(information()))
    if draw(st.booleans()):
        fields.append(draw(narrative("77B", 3)))
    return "\n".join(fields)


@st.composite
def mt202_texts(draw: st.DrawFn, cover: bool) -> str:
    currency = draw(st.sampled_from(CURRENCIES))
    day = draw(st.dates()).strftime("%y%m%d")
    fields = [f":20:{draw(references())}", f":21:{draw(references())}",
              f":32A:{day}{currency}{draw(amounts(currency))}"]
    for tag in ("52", "53", "56", "57"):
        if draw(st.booleans()):
            fields.append(draw(agents(tag)))
    fields.append(draw(agents("58")))
    if draw(st.booleans()):
        fields.append(draw(information()))
    if cover:
        fields.append(draw(customers("50")))
        if draw(st.booleans()):
            fields.append(draw(agents("52")))
        fields.append(draw(customers("59")))
        if draw(st.booleans()):
            fields.append(draw(narrative("70", 4)))
        if draw(st.booleans()):
            fields.append(f":33B:{currency}{draw(amounts(currency))}")
    return "\n".join(fields)
