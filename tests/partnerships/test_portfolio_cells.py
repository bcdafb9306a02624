"""The portfolio's cell fast paths give the same HTML as rendering each cell's template."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.test import RequestFactory
from django.urls import clear_script_prefix, include, path, reverse, set_script_prefix
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from partnerships import links, portfolio
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


def test_cell_html_escapes_as_format_html_does():
    template = '<a href="{}" title="{}">{}{}{}</a>'
    args = ('/x/?a=1&b="2"', gettext_lazy("Off <track>"), mark_safe("<b>safe</b>"), 3, None)
    assert portfolio.cell_html(template, *args) == format_html(template, *args)
    assert isinstance(portfolio.cell_html("{}", "x"), SafeString)


def test_urls_are_reversed_once_per_name_and_script_prefix():
    assert links.url("partnerships:detail", 12) == reverse("partnerships:detail", args=[12])
    assert links.url("partnerships:list") == reverse("partnerships:list")
    set_script_prefix("/concord/")
    try:
        assert links.url("partnerships:detail", 7) == "/concord/partnerships/7/"
        assert links.url("partnerships:detail", 7) == reverse("partnerships:detail", args=[7])
    finally:
        clear_script_prefix()
    assert links.url("partnerships:detail", 7) == reverse("partnerships:detail", args=[7])


def test_day_formats_as_the_date_filter():
    value = date(2027, 3, 9)
    assert portfolio.day(value) == date_filter(value, "j M Y") == "9 Mar 2027"
    with translation.override("fr"):
        assert portfolio.day(value) == date_filter(value, "j M Y")


# This module as a URLconf: the app's URLs mounted under /mounted/.
urlpatterns = [path("mounted/", include("config.urls"))]


def test_urls_follow_the_urlconf(settings):
    assert links.url("partnerships:detail", 3) == "/partnerships/3/"
    settings.ROOT_URLCONF = __name__
    assert links.url("partnerships:detail", 3) == "/mounted/partnerships/3/"
    assert links.url("partnerships:list") == reverse("partnerships:list")
