"""The benchmark portfolio's contract rows: documents with versions, obligations of every
recurrence, and most past occurrences kept. Its own random numbers, so the rest of the
generated data is the same with or without it."""

import random
from datetime import timedelta

RECURRENCES = ["one_off", "monthly", "quarterly", "yearly"]


def contract_rows(partnerships, today, now):
    from contracts import models as ctr
    from partnerships.models import Agreement

    rng = random.Random(20261205)
    agreements = list(
        Agreement.objects.filter(partnership__in=partnerships).select_related("partnership")
    )
    documents = ctr.Document.objects.bulk_create(
        [ctr.Document(agreement=a, title="Signed agreement") for a in agreements]
    )
    ctr.DocumentVersion.objects.bulk_create(
        [
            ctr.DocumentVersion(
                document=d,
                number=n,
                file=f"contracts/documents/bench-{d.pk}-{n}.pdf",
                original_name=f"agreement-v{n}.pdf",
                size=120_000,
                uploaded_by=d.agreement.partnership.owner,
                uploaded_at=now - timedelta(days=400 - n),
            )
            for d in documents
            for n in (1, 2)
        ]
    )
    obligations = ctr.Obligation.objects.bulk_create(
        [
            ctr.Obligation(
                agreement=a,
                partnership=a.partnership,
                party=rng.choice(["ours", "partner"]),
                description=f"Obligation {j + 1} of {a.partnership_id}",
                owner=a.partnership.owner,
                first_due=a.start_date + timedelta(days=rng.randint(10, 120)),
                recurrence=rng.choice(RECURRENCES),
            )
            for a in agreements
            for j in range(4)
        ]
    )
    _fulfilments(ctr, rng, obligations, today)


def _fulfilments(ctr, rng, obligations, today):
    from contracts.occurrences import due_dates

    rows = []
    for o in obligations:
        for due in due_dates(o.first_due, o.recurrence, until=today):
            if rng.random() < 0.9:
                rows.append(
                    ctr.Fulfilment(
                        obligation=o, due_date=due, fulfilled_on=min(due, today), note="Kept."
                    )
                )
    ctr.Fulfilment.objects.bulk_create(rows, batch_size=5000)
