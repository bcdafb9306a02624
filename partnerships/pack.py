"""What a section of the renewal decision pack holds, and the base app's own sections.

Every app contributes the sections it knows (``Contributions.pack_sections``), each read with
the selectors of the page it summarises, so the pack's figures are the pages' figures. A
section is plain data: the same one is drawn on the pack's page and in its PDF.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from .models import Interaction, Objective
from .objectives import show


@dataclass
class Table:
    columns: list
    rows: list  # each a list of strings, in the columns' order


@dataclass
class Section:
    title: str
    figures: list = field(default_factory=list)  # (label, value) pairs, the headline numbers
    table: Table | None = None
    lines: list = field(default_factory=list)  # highlights, one sentence each
    link: str = ""  # the page this section summarises
    empty: str = ""  # said instead when there is nothing to show

    @property
    def is_empty(self):
        return not (self.figures or (self.table and self.table.rows) or self.lines)


MET = Objective.Status.ACHIEVED


def objectives(partnership, *, today):
    """Objectives of both sides, their status as the partnership page shows it."""
    shown = show(partnership.objectives.order_by("side", "title"), today)
    rows, met, by_side = [], 0, {}
    for objective in shown:
        side = objective.get_side_display()
        done = objective.shown_status == MET
        met += done
        counted = by_side.setdefault(side, [0, 0])
        counted[0] += done
        counted[1] += 1
        progress = "—" if objective.shown_progress is None else f"{objective.shown_progress}%"
        rows.append([objective.title, side, objective.shown_status_label, progress])
    figures = [("Objectives met", f"{met} of {len(shown)}")]
    figures += [(f"{side} met", f"{n} of {total}") for side, (n, total) in by_side.items()]
    return Section(
        title="Objectives",
        figures=figures if shown else [],
        table=Table(["Objective", "Side", "Status", "Progress"], rows),
        link=reverse("partnerships:detail", args=[partnership.pk]) + "#objectives",
        empty="No objectives were agreed.",
    )


HIGHLIGHT_KINDS = (
    Interaction.Kind.MEETING,
    Interaction.Kind.ESCALATION,
    Interaction.Kind.CONFLICT,
)
HIGHLIGHTS = 8


def interactions(partnership, *, today):
    """The latest meetings, escalations and conflicts, with their outcome."""
    recent = list(
        partnership.interactions.filter(kind__in=HIGHLIGHT_KINDS).order_by("-occurred_on", "-pk")[
            :HIGHLIGHTS
        ]
    )
    lines = []
    for item in recent:
        outcome = item.resolution or item.outcome or item.summary
        lines.append(
            f"{item.occurred_on:%-d %b %Y} · {item.get_kind_display()}: {item.subject}"
            + (f" — {outcome}" if outcome else "")
        )
    return Section(
        title="Interaction highlights",
        lines=lines,
        link=reverse("partnerships:detail", args=[partnership.pk]) + "#interactions",
        empty="No meetings, escalations or conflicts recorded.",
    )
