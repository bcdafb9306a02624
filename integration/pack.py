"""What the integration plan adds to the renewal decision pack: its milestones as the plan's
panel reads them (``selectors.plan_for``), done, late, slipped and on the critical path."""

from django.urls import reverse

from partnerships.pack import Section, Table

from .selectors import plan_for


def _state(milestone):
    if milestone.is_done:
        return f"done {milestone.done_on:%-d %b %Y}" + (" (late)" if milestone.late else "")
    return "slipped" if milestone.slipped else "open"


def milestones(partnership, *, today):
    plan = plan_for(partnership, today)
    if not plan.total:
        return Section(title="Integration milestones", empty="No integration plan.")
    late = sum(1 for m in plan.milestones.values() if m.is_done and m.late)
    rows = []
    for workstream in plan.workstreams:
        for m in sorted(workstream.items, key=lambda m: (m.due_date, m.pk)):
            rows.append(
                [
                    m.title + (" ◆" if m.critical else ""),
                    workstream.get_kind_display(),
                    f"{m.due_date:%-d %b %Y}",
                    _state(m),
                    m.owner_name,
                ]
            )
    return Section(
        title="Integration milestones",
        figures=[
            ("Milestones done", f"{plan.done} of {plan.total}"),
            ("Done late", str(late)),
            ("Slipped", str(plan.slipped)),
        ],
        table=Table(["Milestone (◆ critical path)", "Workstream", "Due", "State", "Owner"], rows),
        link=reverse("integration:plan", args=[partnership.pk]),
    )
