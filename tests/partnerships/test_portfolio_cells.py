"""The portfolio's cell fast paths give the same HTML as rendering each cell's template."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from partnerships import portfolio
from partnerships.models import Partnership, Stage
from partnerships.portfolio import Column
from tests.factories import make_partner, make_partnership, make_user

pytestmark = pytest.mark.django_db

INCLUDES = (
    '{% for row in rows %}<tr>{% for column in columns %}<td class="{{ column.css }}">'
    "{% include column.template %}</td>{% endfor %}</tr>{% endfor %}"
)
FAST = (
    "{% load concord %}{% for row in rows %}<tr>{% portfolio_cells columns row %}</tr>{% endfor %}"
)


def render_both(rows, columns, *, user, today=None):
    """(through each column's template, through the table's tag) for these rows: equal when
    every fast path gives what its template gives."""
    request = RequestFactory().get("/partnerships/")
    request.user = user
    context = {"rows": rows, "columns": columns, "today": today or timezone.localdate()}
    engine = engines["django"]
    return (
        engine.from_string(INCLUDES).render(context, request),
        engine.from_string(FAST).render(context, request),
    )


def page_rows():
    rows = list(
        portfolio.annotate(Partnership.objects.select_related("partner", "owner")).order_by("pk")
    )
    return portfolio.decorate(rows)


def test_cells_render_exactly_as_their_templates(coo, manager):
    nameless = make_user("nameless", first_name="", last_name="")
    odd = make_partner(name='Ünïcode & <Sons> "Ltd"')
    make_partnership(
        odd,
        title="R&D <pilot>",
        owner=manager,
        estimated_annual_value=Decimal("1234567.50"),
        end_date=date(2027, 3, 9),
        stage=Stage.ACTIVE,
    )
    make_partnership(owner=nameless, estimated_annual_value=Decimal("0"))
    make_partnership(stage=Stage.ENDED, type=Partnership.Type.CHANNEL)
    columns = portfolio.columns()
    assert all(c.render for c in columns)
    expected, fast = render_both(page_rows(), columns, user=coo)
    assert fast == expected
    assert "R&amp;D &lt;pilot&gt;" in expected and "1,234,568" in expected


def test_a_column_without_a_fast_path_renders_its_template(coo):
    make_partnership(title="Plain", type=Partnership.Type.SUPPLIER)
    columns = [Column("plain", "Plain", "partnerships/cells/type.html")]
    expected, fast = render_both(page_rows(), columns, user=coo)
    assert fast == expected and ">Supplier\n</td>" in fast
