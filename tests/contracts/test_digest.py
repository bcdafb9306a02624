"""Overdue obligations in the weekly digest: other people's, in the partnerships followed."""

from datetime import UTC, datetime

import pytest

from contracts.digest import overdue_obligations

from .conftest import make_obligation

pytestmark = pytest.mark.django_db

WEEK = (datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


def test_lists_other_peoples_late_obligations(agreement, manager, coo, partnership):
    make_obligation(agreement, manager, description="Usage figures")
    make_obligation(agreement, coo, description="Mine, in Needs you instead")
    section = overdue_obligations(coo, [partnership.pk], *WEEK)
    [item] = section.items
    assert item.text == "Joint analytics offering: Usage figures"
    assert item.badge == "296 days late"  # the oldest missed, 31 Jan, on 23 Nov
    assert "due 31 Jan (10 due dates missed)" in item.meta and "Marco Rossi" in item.meta
    assert item.link.endswith(f"/partnerships/{partnership.pk}/obligations/#obligations")


def test_nothing_late_no_section(agreement, manager, coo, partnership):
    make_obligation(agreement, manager, first_due=datetime(2027, 1, 1).date())
    assert overdue_obligations(coo, [partnership.pk], *WEEK) is None
