"""Spreadsheet limits: files crafted to unpack huge are refused early, with the limit named."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.worksheet import _reader

from kpis.imports import ImportFileError, check_off_request, read_table
from kpis.models import MeasurementImport

from . import xlsx_craft as craft


@pytest.fixture
def rows_parsed(monkeypatch):
    """How many sheet rows openpyxl parsed: proof that reading stopped at the limit."""
    seen = {"rows": 0}
    parse = _reader.WorkSheetParser.parse

    def counting(self):
        for item in parse(self):
            seen["rows"] += 1
            yield item

    monkeypatch.setattr(_reader.WorkSheetParser, "parse", counting)
    return seen


def test_empty_rows_count_toward_the_limit_and_reading_stops_there(settings, rows_parsed):
    settings.KPI_IMPORT_MAX_ROWS = 1000
    bomb = craft.empty_rows_bomb(300_000)
    with pytest.raises(ImportFileError) as raised:
        read_table(bomb, "bomb.xlsx")
    assert str(raised.value) == (
        "The file has more than 1,000 rows (empty rows count too); the limit is 1,000. "
        "Delete the empty rows below the data, or split it into smaller files."
    )
    assert rows_parsed["rows"] <= 1002  # of 300,002 rows in the sheet


def test_a_declared_sheet_size_of_a_million_rows_is_not_padded_out(settings, rows_parsed):
    # Only three rows exist, but the dimension claims the whole sheet: nothing is invented.
    content = craft.package(
        craft.sheet(
            craft.cells(1, craft.HEADER) + craft.cells(2, (1, "2024-01-01", 5, "")),
            dimension="A1:XFD1048576",
        )
    )
    frame = read_table(content, "m.xlsx")
    assert list(frame["_row"]) == [2]
    assert rows_parsed["rows"] == 2


def test_an_empty_rows_bomb_is_checked_off_the_request():
    bomb = craft.empty_rows_bomb(300_000)
    assert check_off_request(bomb, "bomb.xlsx")
    small = craft.package(craft.sheet(craft.cells(1, craft.HEADER)))
    assert not check_off_request(small, "small.xlsx")


def test_a_huge_cell_is_refused_naming_row_column_and_limit(settings):
    with pytest.raises(ImportFileError) as raised:
        read_table(craft.huge_cell(20 * 1024 * 1024), "cell.xlsx")
    assert str(raised.value) == (
        "Row 2, column D ('note'): the cell holds 20,971,520 characters; the limit is 5,000 "
        "characters a cell."
    )


def test_a_zip_bomb_is_refused_before_any_parsing(settings, rows_parsed):
    settings.KPI_IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    bomb = craft.zip_bomb(20 * 1024 * 1024)
    assert len(bomb) < 100_000
    with pytest.raises(ImportFileError, match=r"unpacks to 20\.0 MB; the limit is 1\.0 MB"):
        read_table(bomb, "bomb.xlsx")
    assert rows_parsed["rows"] == 0


def test_too_many_columns_in_a_sheet(settings):
    settings.KPI_IMPORT_MAX_COLUMNS = 10
    wide = craft.package(
        craft.sheet(craft.cells(1, craft.HEADER) + craft.cells(2, [1] * 4 + [""] * 20 + ["x"]))
    )
    with pytest.raises(ImportFileError, match="more than 10 columns; the limit is 10"):
        read_table(wide, "wide.xlsx")


def test_csv_gets_the_same_row_column_and_cell_limits(settings):
    settings.KPI_IMPORT_MAX_ROWS = 5
    blank_lines = b"kpi_id,period,value\n1,2024-01-01,3\n" + b"\n" * 50 + b"1,2024-02-01,3\n"
    with pytest.raises(ImportFileError, match=r"more than 5 rows \(empty rows count too\)"):
        read_table(blank_lines, "m.csv")
    settings.KPI_IMPORT_MAX_COLUMNS = 4
    with pytest.raises(ImportFileError, match="more than 4 columns; the limit is 4"):
        read_table(b"kpi_id,period,value,note,a,b\n1,2024-01-01,3,,,\n", "m.csv")
    settings.KPI_IMPORT_MAX_CELL_CHARS = 100
    long_note = b"kpi_id,period,value,note\n1,2024-01-01,3,ok\n1,2024-02-01,3," + b"n" * 101
    with pytest.raises(
        ImportFileError,
        match="Row 3, column 'note': the cell holds 101 characters; the limit is 100",
    ):
        read_table(long_note, "m.csv")


@pytest.mark.django_db(transaction=True)
def test_the_upload_page_refuses_a_bomb_with_the_limit_named(client, manager, settings):
    settings.KPI_IMPORT_MAX_ROWS = 1000
    client.force_login(manager)
    bomb = SimpleUploadedFile("bomb.xlsx", craft.empty_rows_bomb(300_000))
    response = client.post(reverse("kpis:import_start"), {"file": bomb}, follow=True)
    batch = MeasurementImport.objects.get()
    assert batch.state == MeasurementImport.State.INVALID
    assert "more than 1,000 rows (empty rows count too)" in batch.message
    assert "more than 1,000 rows (empty rows count too)" in response.content.decode()
