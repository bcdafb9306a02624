"""The portfolio's cells: each column's ``render(row)``, escaped, in its ``<td>``."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.urls import clear_script_prefix, include, path, reverse, set_script_prefix
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from partnerships import links, portfolio
from partnerships.models import Partnership, Stage
from partnerships.portfolio import Column
from tests.factories import make_partner, make_partnership, make_user

pytestmark = pytest.mark.django_db

ROWS = (
    "{% load concord %}{% for row in rows %}<tr>{% portfolio_cells columns row %}</tr>{% endfor %}"
)


def page_rows():
    rows = list(
        portfolio.annotate(Partnership.objects.select_related("partner", "owner")).order_by("pk")
    )
    return portfolio.decorate(rows)


def render_rows(columns, rows=None):
    """The table's rows as the portfolio renders them, for these columns."""
    rows = page_rows() if rows is None else rows
    return engines["django"].from_string(ROWS).render({"rows": rows, "columns": columns})


def cells(partnership, keys):
    """{column key: the HTML inside its cell} in one partnership's row, for these columns."""
    row = next(r for r in page_rows() if r.pk == partnership.pk)
    return {c.key: str(c.render(row)) for c in portfolio.columns() if c.key in keys}


def test_base_cells(manager):
    nameless = make_user("nameless", first_name="", last_name="")
    odd = make_partner(name='Ünïcode & <Sons> "Ltd"')
    rich = make_partnership(
        odd,
        title="R&D <pilot>",
        owner=manager,
        estimated_annual_value=Decimal("1234567.50"),
        end_date=date(2027, 3, 9),
        stage=Stage.ACTIVE,
    )
    bare = make_partnership(owner=nameless, estimated_annual_value=Decimal("0"))
    unowned = make_partnership(stage=Stage.ENDED, type=Partnership.Type.CHANNEL, owner=None)
    partner = "Ünïcode &amp; &lt;Sons&gt; &quot;Ltd&quot;"
    expected = {
        "title": f'<a href="/partnerships/{rich.pk}/">R&amp;D &lt;pilot&gt;</a>'
        # Below 1,480 px the partner, type, owner and value columns fold into the title cell.
        f'<span class="sub show-md">{partner} · Technology · {manager.get_full_name()} · '
        "1,234,568 EUR est.</span>",
        "partner": f'<a href="/partners/{odd.pk}/">{partner}</a>',
        "stage": '<span class="badge stage-active">Active</span>',
        "owner": manager.get_full_name(),
        "value": '1,234,568 EUR <span class="muted" title="Estimate: no agreement yet">est.</span>',
        "next_date": "9 Mar 2027",
    }
    assert cells(rich, expected) == expected
    expected = {
        "owner": "nameless",
        "value": '0 EUR <span class="muted" title="Estimate: no agreement yet">est.</span>',
        "next_date": '<span class="muted">—</span>',
    }
    assert cells(bare, expected) == expected
    expected = {
        "title": f'<a href="/partnerships/{unowned.pk}/">{unowned.title}</a>'
        f'<span class="sub show-md">{unowned.partner.name} · Reseller / channel · no owner</span>',
        "type": "Reseller / channel",
        "owner": '<span class="muted">Unassigned</span>',
        "value": '<span class="muted">—</span>',
    }
    assert cells(unowned, expected) == expected


def test_each_cell_sits_in_its_column_td(coo):
    make_partnership(title="One")
    html = render_rows(portfolio.columns())
    assert html.startswith('<tr><td class="title-cell"><a href="/partnerships/')
    assert '<td class="num hide-sm hide-md">' in html and html.endswith("</td></tr>")


def test_a_cell_given_plain_text_is_escaped():
    make_partnership(title="<b>Plain</b>")
    columns = [Column("plain", "Plain", lambda row: row.title)]
    assert render_rows(columns) == '<tr><td class="">&lt;b&gt;Plain&lt;/b&gt;</td></tr>'


def test_cell_html_escapes_as_format_html_does():
    template = '<a href="{}" title="{}">{}{}{}</a>{tail}'
    args = ('/x/?a=1&b="2"', gettext_lazy("Off <track>"), mark_safe("<b>safe</b>"), 3, None)
    tail = {"tail": "<i>"}
    assert portfolio.cell_html(template, *args, **tail) == format_html(template, *args, **tail)
    assert isinstance(portfolio.cell_html("{}", "x"), SafeString)


def test_day_formats_as_the_date_filter():
    value = date(2027, 3, 9)
    assert portfolio.day(value) == date_filter(value, "j M Y") == "9 Mar 2027"
    with translation.override("fr"):
        assert portfolio.day(value) == date_filter(value, "j M Y")


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


# This module as a URLconf: the app's URLs mounted under /mounted/.
urlpatterns = [path("mounted/", include("config.urls"))]


def test_urls_follow_the_urlconf(settings):
    assert links.url("partnerships:detail", 3) == "/partnerships/3/"
    settings.ROOT_URLCONF = __name__
    assert links.url("partnerships:detail", 3) == "/mounted/partnerships/3/"
    assert links.url("partnerships:list") == reverse("partnerships:list")
