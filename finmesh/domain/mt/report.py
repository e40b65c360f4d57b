"""What a translation could not carry over as it was: the report beside its output."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    """One value the target could not hold unchanged."""

    kind: str
    """"truncated" (cut to the target's length, CBPR+ style: last kept character '+'),
    "replaced" (characters outside the target's set), "not_translated" (no place for it
    in the target), "defaulted" (the target needs a value the source lacks), or
    "reformatted" (same content, other layout: line breaks, joined lines)."""
    where: str
    """The source field or element ("50K", "Cdtr/Nm", ...)."""
    detail: str


@dataclass
class TranslationReport:
    """Every note of one translation, in the order they were made."""

    source: str
    """"MT103", "pacs.008.001.08", ..."""
    target: str
    notes: list[Note] = field(default_factory=list)

    def note(self, kind: str, where: str, detail: str) -> None:
        self.notes.append(Note(kind, where, detail))

    @property
    def lossless(self) -> bool:
        """No value was cut, replaced or left out."""
        return not any(n.kind in ("truncated", "replaced", "not_translated") for n in self.notes)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "lossless": self.lossless,
            "notes": [{"kind": n.kind, "where": n.where, "detail": n.detail}
                      for n in self.notes],
        }


@dataclass(frozen=True)
class Translation:
    """The translated message and its report."""

    payload: bytes
    report: TranslationReport
