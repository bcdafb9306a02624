"""Reads of integration plans, each in a constant number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F

from partnerships.aggregates import ids_param

from . import plans
from .models import Milestone, Workstream

Dependency = Milestone.depends_on.through


def slipped(today):
    """Milestones still open after their due date."""
    return Milestone.objects.filter(done_on__isnull=True, due_date__lt=today)


def plan_graph(partnership_id):
    """(graph {id: [ids it depends on]}, titles, due dates, done dates) of one plan, in two
    queries."""
    rows = Milestone.objects.filter(workstream__partnership_id=partnership_id).values_list(
        "pk", "title", "due_date", "done_on"
    )
    titles, dues, done = {}, {}, {}
    for pk, title, due, done_on in rows:
        titles[pk], dues[pk], done[pk] = title, due, done_on
    graph = {pk: [] for pk in titles}
    edges = Dependency.objects.filter(
        from_milestone__workstream__partnership_id=partnership_id
    ).values_list("from_milestone_id", "to_milestone_id")
    for source, target in edges:
        graph[source].append(target)
    return graph, titles, dues, done


@dataclass
class Plan:
    workstreams: list
    milestones: dict  # id -> Milestone, each with the attributes plan_for adds
    critical: list = field(default_factory=list)  # ids along the critical path
    slipped: int = 0
    done: int = 0

    @property
    def total(self):
        return len(self.milestones)


def plan_for(partnership, today):
    """The plan of ``partnership`` as the page shows it, in three queries. Each milestone gets
    ``deps`` (the milestones it depends on), ``start`` (see ``plans.durations``),
    ``slipped``, ``critical`` and ``undone_deps``; each workstream its ``items``."""
    workstreams = list(
        Workstream.objects.filter(partnership=partnership).select_related("owner", "partner_owner")
    )
    milestones = {
        m.pk: m
        for m in Milestone.objects.filter(workstream__partnership=partnership).select_related(
            "owner", "owner_contact", "done_by"
        )
    }
    graph = defaultdict(list)
    for source, target in Dependency.objects.filter(
        from_milestone__workstream__partnership=partnership
    ).values_list("from_milestone_id", "to_milestone_id"):
        graph[source].append(target)
    by_stream = {w.pk: w for w in workstreams}
    dues = {pk: m.due_date for pk, m in milestones.items()}
    starts = {pk: by_stream[m.workstream_id].start_date for pk, m in milestones.items()}
    critical = plans.critical_path(plans.durations(dues, graph, starts), graph)
    for w in workstreams:
        w.items = []
    for pk, m in milestones.items():
        m.deps = [milestones[d] for d in sorted(graph[pk], key=lambda d: (dues[d], d))]
        m.undone_deps = [d for d in m.deps if not d.is_done]
        m.start = plans.start(pk, dues, graph, starts)
        m.slipped = m.is_slipped(today)
        m.late = m.is_done and m.done_on > m.due_date
        m.critical = pk in critical
        by_stream[m.workstream_id].items.append(m)
    return Plan(
        workstreams=workstreams,
        milestones=milestones,
        critical=critical,
        slipped=sum(1 for m in milestones.values() if m.slipped),
        done=sum(1 for m in milestones.values() if m.is_done),
    )


def slipped_counts(partnership_ids, today):
    """The ``read_together`` part: slipped milestones per partnership."""
    rows = (
        slipped(today)
        .filter(workstream__partnership_id__in=ids_param(partnership_ids))
        .values(partnership_id=F("workstream__partnership_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return rows, ["n"]


def health_input_reads(partnership_ids, *, today):
    return {"integration.slipped": slipped_counts(partnership_ids, today)}


def health_inputs_from(read, partnership_ids):
    rows = read["integration.slipped"]
    return {pid: {"slipped_milestones": rows.get(pid, {}).get("n", 0)} for pid in partnership_ids}
