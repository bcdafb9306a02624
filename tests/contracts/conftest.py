"""Fixtures for the contract tests: an agreement, obligations and files that pass the checks."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts import services
from partnerships.models import Agreement
from tests.digests.conftest import smtp  # noqa: F401  (a real SMTP server for reminder tests)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="contract.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_agreement(partnership, **fields):
    fields = {"start_date": date(2026, 1, 1), "end_date": date(2028, 12, 31), **fields}
    return Agreement.objects.create(partnership=partnership, **fields)


def make_obligation(agreement, by, **fields):
    fields = {
        "party": "ours",
        "description": "Monthly sales report",
        "owner": by,
        "first_due": date(2026, 1, 31),
        "recurrence": "monthly",
        **fields,
    }
    return services.obligation_add(agreement=agreement, by=by, **fields)


@pytest.fixture
def agreement(partnership):
    return make_agreement(partnership)


@pytest.fixture
def obligation(agreement, manager):
    return make_obligation(agreement, manager)
