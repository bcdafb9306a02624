"""Builders for integration-plan tests."""

import itertools

from integration import services
from integration.models import Kind, Milestone, Workstream
from tests.clock import TODAY

_seq = itertools.count(1)


def make_workstream(partnership, **fields):
    fields.setdefault("title", f"Workstream {next(_seq)}")
    fields.setdefault("kind", Kind.SYSTEMS)
    fields.setdefault("start_date", TODAY)
    return Workstream.objects.create(partnership=partnership, **fields)


def make_milestone(workstream, owner=None, *, depends_on=(), **fields):
    fields.setdefault("title", f"Milestone {next(_seq)}")
    fields.setdefault("due_date", TODAY)
    milestone = Milestone(workstream=workstream, owner=owner, **fields)
    return services.milestone_save(milestone=milestone, depends_on=list(depends_on))
