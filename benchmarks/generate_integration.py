"""The benchmark portfolio's integration plans: the standard plan of each operating
partnership, some of it done and some slipped, written in three bulk inserts."""

import random
from datetime import timedelta

OPERATING = ("active", "under_review", "renewal")


def integration_rows(partnerships, today):
    # Its own random numbers: the rows generated after these stay as they were before plans.
    rng = random.Random(20261205)
    from integration.models import Milestone, Workstream
    from integration.standard import standard_for

    plans = []  # (partnership, key, kind, title, milestones, began)
    for p in partnerships:
        if p.stage in OPERATING and p.owner_id:
            began = today - timedelta(days=rng.randint(5, 200))
            plans.extend((p, *entry, began) for entry in standard_for(p.type))
    streams = Workstream.objects.bulk_create(
        [
            Workstream(
                partnership=p,
                kind=kind,
                title=title,
                owner_id=p.owner_id,
                start_date=began,
                template_key=key,
                order=order,
            )
            for order, (p, key, kind, title, _, began) in enumerate(plans)
        ]
    )
    rows, keys = [], []
    for stream, (p, _, _, _, milestones, began) in zip(streams, plans, strict=True):
        for m_key, title, deliverable, days, deps in milestones:
            due = began + timedelta(days=days)
            done = due < today and rng.random() < 0.8
            rows.append(
                Milestone(
                    workstream=stream,
                    title=title,
                    deliverable=deliverable,
                    due_date=due,
                    owner_id=p.owner_id,
                    done_on=due if done else None,
                    template_key=m_key,
                )
            )
            keys.append((stream.pk, deps))
    made = Milestone.objects.bulk_create(rows)
    by_key = {(m.workstream_id, m.template_key): m.pk for m in made}
    Milestone.depends_on.through.objects.bulk_create(
        [
            Milestone.depends_on.through(from_milestone_id=m.pk, to_milestone_id=by_key[(s, d)])
            for m, (s, deps) in zip(made, keys, strict=True)
            for d in deps
        ]
    )
