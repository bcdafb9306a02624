"""``queries.history`` (keys first, then only the slice through ``Events``) against its plain
reference, ``queries.events`` with the form's ORM filters, ordered by ``queries.ORDERING``."""

from datetime import timedelta

import pghistory
import pytest
from django.urls import reverse
from django.utils import timezone

from audit import access, queries
from audit.forms import HistoryFilterForm
from audit.registry import event_models
from partnerships.models import Objective
from tests.factories import make_objective, make_partnership

from .conftest import make_kpi, measure

WINDOWS = [(0, 3), (2, 7), (5, 6), (0, 1000), (40, 50)]


@pytest.fixture
def busy(partnership, manager, coo):
    """Events in several tables, by two people through several sources, some in one
    transaction (one pgh_created_at for all), an update and a delete."""
    other = make_partnership(title="Elsewhere")
    with pghistory.context(user=manager.pk, source="page"):
        objective = make_objective(partnership, title="Grow revenue")
        Objective.objects.filter(pk=objective.pk).update(progress=55)
        make_objective(other, title="Other")
    with pghistory.context(user=coo.pk, source="import"):
        kpi = make_kpi(partnership, name="Leads", objective=objective)
        month = timezone.localdate().replace(day=1)
        for back in range(6):
            measure(kpi, month - timedelta(days=31 * back), 10 + back)
    gone = make_objective(partnership, title="Short-lived")  # no context: the shell
    gone.delete()
    return partnership


def _form(query):
    form = HistoryFilterForm(query, labels=list(event_models()))
    assert form.is_valid(), form.errors
    return form


def _reference(target, pk, form):
    found = queries.events(target=target, pk=pk, models=form.models())
    return form.apply(found).order_by(*queries.ORDERING)


def _seen(events):
    return [
        (e.pgh_model, e.pgh_id, e.pgh_label, e.pgh_data, e.pgh_diff, e.user_id, e.source)
        for e in events
    ]


QUERIES = [
    {},
    {"action": "update"},
    {"action": "delete"},
    {"source": "shell"},
    {"source": "import"},
    {"model": "kpis.Measurement"},
    {"since": "2000-01-01", "until": "2100-01-01"},
    {"until": "2000-01-01"},
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("scoped", [False, True])
def test_a_history_lists_what_its_reference_lists_in_the_same_order(busy, coo, query, scoped):
    target, pk = (access.PARTNERSHIP, busy.pk) if scoped else (None, None)
    form = _form(query)
    fast = queries.history(target=target, pk=pk, models=form.models(), conditions=form.conditions())
    reference = _reference(target, pk, form)
    assert fast.count() == reference.count()
    for start, stop in WINDOWS:
        assert _seen(fast[start:stop]) == _seen(reference[start:stop])


def test_the_actor_filter_matches_its_reference(busy, coo, manager):
    for person in (coo, manager):
        form = _form({"actor": str(person.pk)})
        fast = queries.history(conditions=form.conditions())
        reference = _reference(None, None, form)
        assert fast.count() == reference.count() > 0
        assert _seen(fast[0:1000]) == _seen(reference[0:1000])


def test_an_empty_choice_of_tables_lists_nothing(db):
    empty = queries.history(models=["no.SuchModel"])
    assert empty.count() == 0 and empty[0:10] == []


def test_a_long_history_counts_up_to_its_cap_and_says_there_are_more(
    busy, coo, client, monkeypatch
):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    capped = queries.history()
    assert capped.count() == 3 and capped.more
    assert _seen(capped[0:3]) == _seen(_reference(None, None, _form({}))[0:3])
    client.force_login(coo)
    text = client.get(reverse("audit:history")).text
    assert "1–3 of 3+ changes" in text
    assert "Only the newest 3 changes are paged through" in text
    everything = _reference(None, None, _form({})).count()  # the page's view wrote some
    monkeypatch.setattr(queries, "COUNT_CAP", everything + 1)
    exact = queries.history()
    assert exact.count() == everything and not exact.more
    assert "are paged through" not in client.get(reverse("audit:history")).text
