"""The portfolio's cell fast paths give the same HTML as rendering each cell's template."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import engines
from django.test import RequestFactory

from partnerships import portfolio
from partnerships.models import Partnership, Stage
from tests.factories import make_partner, make_partnership, make_user

pytestmark = pytest.mark.django_db

INCLUDES = (
    '{% for row in rows %}<tr>{% for column in columns %}<td class="{{ column.css }}">'
    "{% include column.template %}</td>{% endfor %}</tr>{% endfor %}"
)
FAST = (
    "{% load concord %}{% for row in rows %}<tr>{% portfolio_cells columns row %}</tr>{% endfor %}"
)


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
    rows = list(
        portfolio.annotate(Partnership.objects.select_related("partner", "owner")).order_by("pk")
    )
    portfolio.decorate(rows)
    columns = portfolio.columns()
    assert any(c.render for c in columns) and any(not c.render for c in columns)
    request = RequestFactory().get("/partnerships/")
    request.user = coo
    context = {"rows": rows, "columns": columns, "today": date(2026, 11, 23)}
    engine = engines["django"]
    expected = engine.from_string(INCLUDES).render(context, request)
    assert engine.from_string(FAST).render(context, request) == expected
    assert "R&amp;D &lt;pilot&gt;" in expected and "1,234,568" in expected
