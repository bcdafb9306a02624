"""``seed_demo`` gives agreements with documents (versions kept) and obligations, some kept
and some late, and running it again adds nothing."""

import pytest
from django.core.management import call_command

from contracts import selectors
from contracts.models import Document, DocumentVersion, Fulfilment, Obligation, ObligationChange
from contracts.occurrences import company_today

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_documents_and_obligations_kept_and_late():
    call_command("seed_demo", verbosity=0)
    assert Document.objects.filter(kind="signed").exists()
    assert Document.objects.filter(kind="amendment", amendment__isnull=False).exists()
    assert DocumentVersion.objects.filter(number=2).exists()
    assert Obligation.objects.filter(party="ours").exists()
    assert Obligation.objects.filter(party="partner").exists()
    assert ObligationChange.objects.filter(amendment__isnull=False).exists()
    today = company_today()
    labels = {
        selectors.standing(o, today)[0] for o in selectors.with_fulfilled(Obligation.objects.all())
    }
    assert "Late" in labels
    assert labels & {"On track", "Fulfilled", "Due soon"}
    counts = (Document.objects.count(), Obligation.objects.count(), Fulfilment.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (
        Document.objects.count(),
        Obligation.objects.count(),
        Fulfilment.objects.count(),
    ) == counts
