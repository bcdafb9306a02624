"""The digest's table and items are written in Python (an executive's table has hundreds of
rows); they must be the HTML the templates they replaced wrote, byte for byte."""

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from digests.sections import Cell, Item, Table
from digests.templatetags.digest_email import bars_html, email_table, items_html, text_table

# templates/emails/digests/_table.html before it became {% email_table table %}.
TEMPLATE = (
    '{% load digest_email %}<table role="presentation" width="100%" cellpadding="0" '
    'cellspacing="0" border="0" style="border-collapse:collapse;font-family:-apple-system,'
    'BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif;">\n'
    '  <tr>{% for column in table.columns %}<th align="left" style="padding:7px 8px;'
    "{% if forloop.first %}padding-left:10px;{% endif %}background-color:#f0f3f7;"
    "border-bottom:1px solid #dde3ea;font-size:11px;line-height:1.3;font-weight:600;"
    'letter-spacing:.04em;text-transform:uppercase;color:#5d6b7a;text-align:left;">'
    "{{ column }}</th>{% endfor %}</tr>\n"
    "  {% for row in table.rows %}\n"
    "  <tr>{% for value in row %}{% with c=value|cell %}\n"
    '    <td valign="top" style="padding:9px 8px;{% if forloop.first %}padding-left:10px;'
    '{% endif %}border-bottom:1px solid #e8ecf1;font-size:14px;line-height:1.35;">\n'
    '      {% if c.trend %}<table role="presentation" cellpadding="0" cellspacing="0" '
    'border="0" style="border-collapse:collapse;"><tr><td valign="bottom" style="padding:0 6px '
    '0 0;font-size:14px;line-height:1.35;white-space:nowrap;">{% endif %}{% if c.severity and '
    'not forloop.first %}<span style="display:inline-block;padding:1px 8px;border-radius:999px;'
    "font-size:12px;line-height:18px;font-weight:600;background-color:{{ c.severity|bg }};"
    'color:{{ c.severity|fg }};white-space:nowrap;">{{ c.text }}</span>{% elif c.link %}'
    '<a href="{{ c.link|absolute }}" style="color:#1c2733;font-weight:600;'
    'text-decoration:none;">{{ c.text }}</a>{% else %}<span style="white-space:nowrap;">'
    '{{ c.text }}</span>{% endif %}{% if c.trend %}</td><td valign="bottom" '
    'style="padding:0 0 2px 0;">{% include "emails/digests/_bars.html" with values=c.trend '
    "severity=c.severity height=16 %}</td></tr></table>{% endif %}\n"
    '      {% if c.sub %}<div style="margin-top:1px;font-size:12px;line-height:1.35;'
    'color:#5d6b7a;">{{ c.sub }}</div>{% endif %}\n'
    "    </td>{% endwith %}{% endfor %}</tr>\n"
    "  {% endfor %}\n"
    "</table>\n"
)


# templates/emails/digests/_bars.html and _table.txt, likewise.
BARS_TEMPLATE = (
    '{% load digest_email %}{% with h=height|default:22 %}<table role="presentation" '
    'cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;displ'
    'ay:inline-table;"><tr>{% for bar in values|bars:h %}<td valign="bottom" style="p'
    'adding:0 1px;height:{{ h }}px;vertical-align:bottom;" title="{{ bar.value|number'
    ' }}"><div style="width:7px;height:{{ bar.h }}px;background-color:{% if forloop.l'
    "ast %}{{ severity|bar_colour }}{% else %}#b9c8d8{% endif %};border-radius:1px;fo"
    'nt-size:1px;line-height:1px;">&nbsp;</div></td>\n{% endfor %}</tr></table>{% endwi'
    "th %}\n"
)
TEXT_TEMPLATE = (
    "{% load digest_email %}{% autoescape off %}{% for first, rest in table|text_rows"
    " %}\n- {{ first.text }}{% if rest %} — {{ rest }}{% endif %}{% if first.sub %}\n  "
    "{{ first.sub }}{% endif %}{% if first.link %}\n  {{ first.link|absolute }}{% endi"
    "f %}\n{% endfor %}{% endautoescape %}\n"
)


# The items of a section in templates/emails/digests/_digest_body.html, likewise.
ITEMS_TEMPLATE = "{% load digest_email %}" + (
    '{% if section.items %}\n        <table role="presentation" width="100%" cellpaddi'
    'ng="0" cellspacing="0" border="0" style="border-collapse:collapse;">\n          {'
    '% for item in section.items %}\n          <tr>\n            <td valign="top" style'
    '="padding:10px 0;border-top:1px solid #e8ecf1;font-family:{{ font }};">\n        '
    '      {% if item.badge %}<span style="display:inline-block;margin:0 6px 2px 0;pa'
    "dding:1px 8px;border-radius:999px;font-size:12px;line-height:18px;font-weight:60"
    "0;background-color:{{ item.severity|bg }};color:{{ item.severity|fg }};white-spa"
    'ce:nowrap;">{{ item.badge }}</span>{% endif %}{% if item.link %}<a href="{{ item'
    '.link|absolute }}" style="color:#1c2733;font-size:15px;line-height:1.4;font-weig'
    'ht:600;text-decoration:none;">{{ item.text }}</a>{% else %}<span style="font-siz'
    'e:15px;line-height:1.4;font-weight:600;">{{ item.text }}</span>{% endif %}\n     '
    '         {% if item.meta %}<div style="margin-top:2px;font-size:13px;line-height'
    ':1.4;color:#5d6b7a;">{{ item.meta }}</div>{% endif %}\n            </td>\n        '
    '    {% if item.trend %}\n            <td valign="top" align="right" width="96" st'
    'yle="padding:12px 0 8px 12px;border-top:1px solid #e8ecf1;font-family:{{ font }}'
    ';">\n              {% bars_html item.trend item.severity %}\n              {% if i'
    'tem.trend_label %}<div style="margin-top:3px;font-size:11px;line-height:1.3;colo'
    'r:#5d6b7a;">{{ item.trend_label }}</div>{% endif %}\n            </td>\n          '
    "  {% endif %}\n          </tr>\n          {% endfor %}\n        </table>\n        {%"
    " endif %}"
)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://concord.example.com"


TABLES = [
    Table(columns=["Partnership", "Stage"], rows=[]),
    Table(
        columns=["Partnership", "Stage", "Health", "Week"],
        rows=[
            [
                Cell("Joint AI <insights> & co", link="/partnerships/3/", sub="Northwind · Ann"),
                Cell("Active", severity="green"),
                Cell("72", link="/partnerships/3/#panel-health", severity="amber"),
                Cell("+4", sub="was 68"),
            ],
            [
                Cell("Fjord 'logistics' \"network\"", link="https://x.example/p/?a=1&b=2"),
                Cell("Renewal", severity="amber"),
                "—",
                Cell("−6", trend=[70, 64], severity="red"),
            ],
            ["Plain text", 12, Cell(""), Cell("58", severity="red", trend=[72, 58])],
            [Cell("First with severity", severity="red", trend=[1, 2, 3]), None, "", 3.5],
            [Cell(mark_safe("<b>Marked</b> safe"), sub=mark_safe("<i>sub</i>")), "a & b", 0, ""],
        ],
    ),
]


@pytest.mark.parametrize("table", TABLES)
def test_python_table_is_the_template_html(table):
    engine = engines["django"]
    # The template included the bars from their own file.
    reference = engine.from_string(
        TEMPLATE.replace(
            '{% include "emails/digests/_bars.html" with values=c.trend severity=c.severity '
            "height=16 %}",
            "{% with values=c.trend severity=c.severity height=16 %}"
            + BARS_TEMPLATE.removeprefix("{% load digest_email %}")
            + "{% endwith %}",
        )
    ).render({"table": table})
    assert email_table(table) == reference
    text = engine.from_string(TEXT_TEMPLATE).render({"table": table})
    assert text_table(table) + "\n" == text


@pytest.mark.parametrize(
    "values, severity, height",
    [([72, 70, 66, 58], "red", ""), ([1.5, 1200, 3], "green", 16), ([5, 5], "", 22), ([], "", "")],
)
def test_python_bars_are_the_template_html(values, severity, height):
    context = {"values": values, "severity": severity, "height": height}
    reference = engines["django"].from_string(BARS_TEMPLATE).render(context)
    assert bars_html(values, severity, height) == reference


FONT = "-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif"


def test_python_items_are_the_template_html():
    items = [
        Item(
            text="Joint AI <insights>: Healthy → At risk",
            link="/partnerships/3/#panel-health",
            severity="red",
            badge="Worse",
            meta="Score 58 of 100, −14 this week (was 72) & more",
            trend=[72, 70, 66, 58],
            trend_label="score by month",
        ),
        Item(text="Plain 'text' \"quoted\"", meta="", trend=[1.5, 2]),
        Item(text="Badge only", badge="Overdue", severity="amber", link="https://x.example/?a=1&b"),
        Item(text=mark_safe("<b>Safe</b>"), meta=mark_safe("<i>meta</i>"), trend_label="unused"),
    ]
    context = {"section": {"items": items}, "font": FONT}
    reference = engines["django"].from_string(ITEMS_TEMPLATE).render(context)
    assert reference == items_html(items, FONT)
