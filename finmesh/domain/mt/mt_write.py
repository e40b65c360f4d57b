"""Write an MT message from values: the X character set, CBPR+ truncation, the blocks.

Every value passes through ``Writer.text``: characters outside the SWIFT X set are
transliterated (anyascii) or replaced by '.', and a value longer than its field is cut
with '+' as its last character (the CBPR+ truncation mark). Each change is noted.
"""

from __future__ import annotations

from anyascii import anyascii

from finmesh.domain.mt.formats import X_CHARACTERS, wrap
from finmesh.domain.mt.report import TranslationReport

TRUNCATION_MARK = "+"

REVERSE_PRIORITIES = {"HIGH": "U", "URGT": "U", "NORM": "N"}


def lt_address(bic: str) -> str:
    """The LT address of a BIC: BIC8, LT code X, branch (XXX for a BIC8)."""
    return bic[:8] + "X" + (bic[8:] or "XXX")


class Writer:
    """Collects the fields of one MT message and the notes their values needed."""

    def __init__(self, report: TranslationReport) -> None:
        self.report = report
        self.fields: list[tuple[str, str]] = []

    def text(self, value: str, length_max: int, where: str) -> str:
        """``value`` in the X set, on one line, at most ``length_max`` characters."""
        clean = self._charset(" ".join(value.split("\n")), where)
        if len(clean) > length_max:
            self.report.note("truncated", where, f"{clean!r} cut to {length_max} characters")
            clean = clean[: length_max - 1] + TRUNCATION_MARK
        return clean

    def lines(self, value: str, width: int, lines_max: int, where: str,
              continuation: str = "") -> list[str]:
        """``value`` wrapped into lines of ``width`` (``formats.wrap``; later lines start
        with ``continuation``, '//' in field 72); LFs in ``value`` start new lines; past
        ``lines_max`` the text is cut with '+'."""
        clean = self._charset(value, where)
        wrapped: list[str] = []
        for paragraph in clean.split("\n"):
            if paragraph:
                wrapped += wrap(paragraph, width, continuation, lines_max)
        if len(wrapped) > lines_max:
            self.report.note("truncated", where, f"{len(wrapped)} lines cut to {lines_max}")
            wrapped = wrapped[:lines_max]
            wrapped[-1] = wrapped[-1][: width - 1] + TRUNCATION_MARK
        return wrapped

    def reference(self, value: str | None, where: str, default: str = "NONREF") -> str:
        """A 16x reference: no '/' at either end, no '//' (T26)."""
        if value is None:
            self.report.note("defaulted", where, f"no reference: {default} written")
            return default
        text = self.text(value, 16, where)
        fixed = text.strip("/").replace("//", "/") or default
        if fixed != text:
            self.report.note("replaced", where, f"{text!r} written {fixed!r} (slashes)")
        return fixed

    def add(self, tag: str, value: str | list[str] | None) -> None:
        """Append a field; every value ends up in the X set, whoever built it."""
        if value:
            joined = value if isinstance(value, str) else "\n".join(value)
            self.fields.append((tag, self._charset(joined, tag)))

    def _charset(self, value: str, where: str) -> str:
        if all(char in X_CHARACTERS for char in value):
            return value
        converted = "".join(
            char if char in X_CHARACTERS else _transliterate(char) for char in value
        )
        self.report.note("replaced", where, f"characters outside the SWIFT X set in"
                         f" {value[:40]!r}")
        return converted


def _transliterate(char: str) -> str:
    ascii_text = anyascii(char)
    return "".join(c if c in X_CHARACTERS and c != "\n" else "." for c in ascii_text) or "."


def render(*, mt_type: str, sender: str, receiver: str, priority: str | None,
           user: list[tuple[str, str]], fields: list[tuple[str, str]]) -> bytes:
    """An input FIN message (``{1:}{2:I...}{3:}{4:}``) with CRLF line breaks."""
    base = mt_type[:3]
    header = f"{{1:F01{lt_address(sender)}0000000000}}"
    header += f"{{2:I{base}{lt_address(receiver)}{REVERSE_PRIORITIES.get(priority or '', 'N')}}}"
    if user:
        header += "{3:" + "".join(f"{{{tag}:{value}}}" for tag, value in user) + "}"
    body = "".join(f":{tag}:" + value.replace("\n", "\r\n") + "\r\n" for tag, value in fields)
    return (header + "{4:\r\n" + body + "-}").encode("ascii")

