"""Dates that must not be missed, contributed by apps; reminders and the digest read them.

A source is ``fn(today, partnership_ids=None) -> list of (partnership_id, kind, due_date, label,
url[, responsible_id])``: every date on or after ``today`` it knows of for those partnerships
(``None``: all of them, for the daily reminder job; a digest passes the few its reader follows,
so filter in SQL rather than load the whole portfolio). The reminder job ignores dates further
away than its largest offset, the digest those beyond 30 days. ``kind`` is a short stable key
such as "notice_deadline"; ``label`` says what happens in words, naming the partnership; ``url``
may be a path ("/partnerships/3/#agreement"), which is made absolute with SITE_URL in emails;
``responsible_id`` names the user who owes the date, reminded too.
Run one query whatever the number of partnerships. Declare it in the app's ``Contributions``
(partnerships/plugins.py)::

    CONTRIBUTIONS = Contributions(reminders=[Reminder("governance.reviews", upcoming_reviews)])
"""

from typing import NamedTuple

from partnerships.later import Later, call_together, deferrable
from partnerships.links import path_maker
from partnerships.models import Agreement, Stage, notice_deadline
from partnerships.plugins import contributed

from .sections import ids_param


class DueDate(NamedTuple):
    partnership_id: int
    kind: str
    due_date: object  # datetime.date
    label: str
    url: str = ""
    # The user who owes it (an obligation's owner, say), reminded besides the partnership's
    # owner and the executives.
    responsible_id: int | None = None


def reminder_sources():
    """{key: fn} of every declared reminder source, by key."""
    return dict(sorted((r.key, r.fn) for r in contributed("reminders")))


def upcoming_dates(today, *, until=None, partnership_ids=None):
    """Every source's dates from ``today`` to ``until`` (inclusive), soonest first. The reads
    of ``deferrable`` sources are made in one statement (``partnerships.later``)."""
    wanted = set(partnership_ids) if partnership_ids is not None else None
    calls = [(fn, (today,), {"partnership_ids": wanted}) for fn in reminder_sources().values()]
    out = []
    for rows in call_together(calls):
        for row in rows:
            row = DueDate(*row)
            if row.due_date < today or (until is not None and row.due_date > until):
                continue
            if wanted is not None and row.partnership_id not in wanted:
                continue
            out.append(row)
    return sorted(out, key=lambda r: (r.due_date, r.kind, r.partnership_id))


# The base app's own dates: agreement notice deadlines and end dates --------------------------

NOTICE_DEADLINE = "notice_deadline"
AGREEMENT_END = "agreement_end"


@deferrable
def agreement_dates(today, partnership_ids=None):
    agreements = Agreement.objects.filter(end_date__gte=today)
    if partnership_ids is not None:
        agreements = agreements.filter(partnership_id__in=ids_param(partnership_ids))
    rows = agreements.exclude(partnership__stage=Stage.ENDED).values(
        "partnership_id", "partnership__title", "end_date", "renewal_notice_days", "auto_renew"
    )
    detail = path_maker("partnerships:detail")

    def dates(rows):
        out = []
        for row in rows:
            pid, title, end_date = row["partnership_id"], row["partnership__title"], row["end_date"]
            url = detail(pid) + "#agreement"
            notice = notice_deadline(end_date, row["renewal_notice_days"])
            if notice is not None and notice >= today:
                if row["auto_renew"]:
                    consequence = "or it renews automatically"
                else:
                    consequence = "to renew or end it"
                out.append(
                    DueDate(
                        pid,
                        NOTICE_DEADLINE,
                        notice,
                        f"Last day to give notice on the {title} agreement ({consequence})",
                        url,
                    )
                )
            out.append(DueDate(pid, AGREEMENT_END, end_date, f"The {title} agreement ends", url))
        return out

    return Later(rows, dates)
