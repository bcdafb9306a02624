"""Demo contract documents and obligations for ``seed_demo``: every agreement in force gets its
signed PDF (some with a second version and an amendment's document) and a few obligations on
both sides, most occurrences kept and some late. Idempotent: an agreement that has obligations
or documents already is left alone."""

import random
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partnerships.models import Agreement, Stage

from . import services
from .models import Document, Fulfilment, ObligationChange, Party, Recurrence
from .occurrences import company_today, due_dates

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# (party, description, recurrence, days after the start first due, owner key or None)
OBLIGATIONS = [
    (Party.PARTNER, "Monthly revenue-share statement", Recurrence.MONTHLY, 30),
    (Party.OURS, "Quarterly pipeline report to the partner", Recurrence.QUARTERLY, 90),
    (Party.PARTNER, "Certificate of insurance renewed", Recurrence.YEARLY, 365),
    (Party.OURS, "Joint marketing plan delivered", Recurrence.ONE_OFF, 60),
]
ADDED_BY_AMENDMENT = (
    Party.PARTNER,
    "Second product line: monthly usage figures",
    Recurrence.MONTHLY,
)


def _file(name):
    return ContentFile(PDF, name=name)


def seed_contracts(ctx, today=None):
    today = today or company_today()
    agreements = Agreement.objects.filter(partnership__in=ctx["partnerships"].values())
    agreements = agreements.exclude(partnership__stage=Stage.ENDED).select_related(
        "partnership__owner"
    )
    for agreement in agreements:
        if agreement.obligations.exists() or agreement.documents.exists():
            continue
        rng = random.Random(f"contracts:{agreement.partnership.title}")
        owner = agreement.partnership.owner or ctx["users"]["coo"]
        with transaction.atomic():
            _seed_documents(agreement, owner)
            _seed_obligations(agreement, owner, rng, today)


def _seed_documents(agreement, owner):
    ref = agreement.reference or f"agreement-{agreement.pk}"
    signed = services.document_add(
        agreement=agreement,
        title="Signed agreement",
        kind=Document.Kind.SIGNED,
        file=_file(f"{ref}-signed.pdf"),
        by=owner,
    )
    services.document_version_add(
        document=signed,
        file=_file(f"{ref}-signed-countersigned.pdf"),
        by=owner,
        note="Countersigned copy with both signatures.",
    )
    for amendment in agreement.amendments.all():
        services.document_add(
            agreement=agreement,
            title=f"Amendment of {amendment.effective_date:%-d %b %Y}",
            kind=Document.Kind.AMENDMENT,
            amendment=amendment,
            file=_file(f"{ref}-amendment-{amendment.pk}.pdf"),
            by=owner,
        )


def _seed_obligations(agreement, owner, rng, today):
    start = agreement.start_date
    made = []
    for party, description, recurrence, after in OBLIGATIONS:
        made.append(
            services.obligation_add(
                agreement=agreement,
                by=owner,
                party=party,
                description=description,
                owner=owner,
                first_due=start + timedelta(days=after),
                recurrence=recurrence,
                ends_on=agreement.end_date,
            )
        )
    amendment = agreement.amendments.first()
    if amendment is not None:
        party, description, recurrence = ADDED_BY_AMENDMENT
        made.append(
            services.obligation_add(
                agreement=agreement,
                by=owner,
                amendment=amendment,
                note="Added with the second product line.",
                party=party,
                description=description,
                owner=owner,
                first_due=max(amendment.effective_date, start) + timedelta(days=30),
                recurrence=recurrence,
                ends_on=agreement.end_date,
            )
        )
    ObligationChange.objects.filter(obligation__in=made, amendment__isnull=True).update(
        changed_at=timezone.make_aware(datetime.combine(start, time(9)))
    )
    _seed_fulfilments(made, owner, rng, today)


def _seed_fulfilments(obligations, owner, rng, today):
    """Past occurrences kept, a few days either side of their date; in about one obligation of
    three the latest ones are late."""
    rows = []
    for obligation in obligations:
        dates = due_dates(
            obligation.first_due, obligation.recurrence, until=today, ends_on=obligation.ends_on
        )
        late = rng.random() < 0.35 and dates
        keep = dates[: -rng.choice([1, 2])] if late else dates
        for due in keep:
            kept_on = min(today, due + timedelta(days=rng.randrange(-5, 4)))
            rows.append(
                Fulfilment(
                    obligation=obligation,
                    due_date=due,
                    fulfilled_on=kept_on,
                    note=f"Received and checked ({obligation.description.lower()}).",
                    recorded_by=owner,
                    recorded_at=timezone.make_aware(datetime.combine(kept_on, time(11))),
                )
            )
    Fulfilment.objects.bulk_create(rows)
