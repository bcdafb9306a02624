"""Every spreadsheet Concord writes (the portfolio export, a partnership's KPI history, the
import template), in CSV and in XLSX: a name a spreadsheet would run as a formula reaches it as
text, prefixed with a quote by the one shared ``partnerships.exports.neutralise``."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from partnerships.exports import FORMULA_PREFIXES
from tests.kpis.test_portfolio_dashboard import _kpis

NAMES = {prefix: f'{prefix}HYPERLINK("http://evil.example","x")' for prefix in FORMULA_PREFIXES}


def _cells(response, fmt):
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
                for cell in row]  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a live formula: {cell.value!r}"
    return [cell.value for row in book.active.iter_rows() for cell in row]


def _writers(partnership):
    return {
        "portfolio export": lambda fmt: reverse("partnerships:export", kwargs={"fmt": fmt}),
        "KPI history": lambda fmt: reverse("kpis:kpi_history_export", args=[partnership.pk, fmt]),
        "import template": lambda fmt: reverse("kpis:import_template", args=[fmt]),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=repr)
def test_every_writer_neutralises_every_formula_trigger(client, manager, partnership,
                                                        prefix, fmt):  # fmt: skip
    name = NAMES[prefix]
    partnership.title = name
    partnership.save()
    kpi = _kpis(partnership, 1, periods=1)[0]
    kpi.name = name
    kpi.save()
    client.force_login(manager)
    for writer, url in _writers(partnership).items():
        response = client.get(url(fmt))
        assert response.status_code == 200, writer
        # XML has no lone CR: an XLSX cell reads it back as a line feed.
        cells = [str(c).replace("\r", "\n") for c in _cells(response, fmt)]
        name = name.replace("\r", "\n")
        assert "'" + name in cells, f"{writer} ({fmt}) does not write {name!r} as text"
        assert name not in cells, f"{writer} ({fmt}) writes {name!r} as it is"
