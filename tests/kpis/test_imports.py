"""Spreadsheet import: every error, the formats people really send, all-or-nothing writes."""

import io
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.imports import ImportFileError, check, read_table, writing
from kpis.models import Kpi, Measurement, MeasurementImport, MeasurementRevision, Snapshot
from tests.factories import make_partnership

from .conftest import make_kpi, measure

TODAY = date(2024, 6, 15)


def csv_bytes(rows, header="kpi_id,period,value,note", bom=False, sep=","):
    text = "\n".join([header.replace(",", sep), *rows]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_bytes(rows, header=("kpi_id", "period", "value", "note")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def checked(content, user, name="m.csv"):
    return check(read_table(content, name), user, today=TODAY)


def errors_of(result):
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


@pytest.fixture
def kpis(partnership):
    monthly = make_kpi(partnership, name="Revenue", unit="currency")
    weekly = make_kpi(partnership, name="Leads", frequency="weekly")
    rate = make_kpi(partnership, name="On time", unit="percent")
    return monthly, weekly, rate


def test_a_clean_file_plans_creates_corrections_and_unchanged(kpis, manager):
    monthly, weekly, rate = kpis
    measure(monthly, date(2024, 1, 1), 10)
    measure(monthly, date(2024, 2, 1), 20)
    result = checked(
        csv_bytes(
            [
                f"{monthly.pk},2024-01-01,10,",  # unchanged
                f"{monthly.pk},2024-02,25,restated",  # correction
                f"{monthly.pk},01/03/2024,30,",  # new, day-first date
                f"{weekly.pk},2024-W10,4,",
                f"{rate.pk},2024-03-01,95%,",
            ]
        ),
        manager,
    )
    assert result.errors == []
    assert list(result.plan["outcome"]) == ["unchanged", "correct", "create", "create", "create"]
    summary = result.summary
    assert (summary["create"], summary["correct"], summary["unchanged"]) == (3, 1, 1)
    assert summary["corrections"][0]["old"] == "20"
    assert Measurement.objects.count() == 2  # nothing written by a preview


def test_every_error_is_listed_by_row_and_column(kpis, manager, viewer):
    monthly, weekly, rate = kpis
    hidden = make_kpi(make_partnership(title="Not yours"), name="Hidden")
    inactive = make_kpi(monthly.partnership, name="Old", is_active=False)
    seen = make_partnership(title="Visible, not editable")
    seen_kpi = make_kpi(seen, name="Seen")
    rows = [
        "abc,2024-01-01,1,",  # 2 unknown KPI (not a number)
        f"{hidden.pk},2024-01-01,1,",  # 3 unknown KPI (not visible)
        f"{monthly.pk},2024-01-15,1,",  # 4 period does not start a month
        f"{monthly.pk},someday,1,",  # 5 not a period
        f"{monthly.pk},2024-02-30,1,",  # 6 not a real date
        f"{weekly.pk},2024-03-06,1,",  # 7 not a Monday
        f"{weekly.pk},2024-03,1,",  # 8 a month for a weekly KPI
        f"{monthly.pk},2099-01-01,1,",  # 9 future
        f"{monthly.pk},2024-01-01,twelve,",  # 10 not a number
        f'{monthly.pk},2024-02-01,"1,234",',  # 11 ambiguous
        f"{rate.pk},2024-01-01,120,",  # 12 percent out of range
        f"{monthly.pk},2024-03-01,5,",  # 13 fine
        f"{monthly.pk},2024-03,6,",  # 14 duplicate of row 13
        f"{inactive.pk},2024-01-01,1,",  # 15 inactive
        ",2024-01-01,1,",  # 16 no KPI
        f"{monthly.pk},,1,",  # 17 no period
        f"{monthly.pk},2024-04-01,inf,",  # 18 not finite
        f"{monthly.pk},2024-05-01,NaN,",  # 19 not finite
    ]
    result = checked(csv_bytes(rows), manager)
    got = {(row, column): message for row, column, message in errors_of(result)}
    expect = {
        (2, "kpi_id"): "Unknown KPI: “abc”",
        (3, "kpi_id"): f"Unknown KPI {hidden.pk}",
        (4, "period"): "does not start a month",
        (5, "period"): "is not a date or period",
        (6, "period"): "not a real date",
        (7, "period"): "does not start a week (weeks start on Monday); did you mean 2024-03-04",
        (8, "period"): "is a month but this KPI is measured weekly",
        (9, "period"): "has not started yet",
        (10, "value"): "Not a number",
        (11, "value"): "ambiguous",
        (12, "value"): "between 0 and 100",
        (14, "period"): "Duplicate row in the file: same KPI and period as row 13",
        (15, "kpi_id"): "inactive",
        (16, "kpi_id"): "Give the KPI number",
        (17, "period"): "Give the period",
        (18, "value"): "Not a number",
        (19, "value"): "Not a number",
    }
    for key, fragment in expect.items():
        assert key in got, key
        assert fragment in got[key], (key, got[key])
    assert (13, "period") not in got
    assert result.plan is None
    # No permission: a partnership the user can see but not edit.
    seen.team.add(viewer)
    result = checked(csv_bytes([f"{seen_kpi.pk},2024-01-01,1,"]), viewer)
    assert "No permission" in result.errors[0]["message"]
    assert "Visible, not editable" in result.errors[0]["message"]


def test_rows_without_a_value_are_skipped(kpis, manager):
    monthly, *_ = kpis
    result = checked(
        csv_bytes([f"{monthly.pk},2024-01-01,,", f"{monthly.pk},2024-02-01,3,"]), manager
    )
    assert result.errors == [] and result.skipped == 1 and len(result.plan) == 1


def test_utf8_with_bom_semicolons_decimal_commas_and_blank_lines(kpis, manager):
    monthly, weekly, rate = kpis
    content = csv_bytes(
        [
            f"{monthly.pk};2024-01-01;1.234,5;Café",
            "",
            ";;;",
            f"{monthly.pk};2024-02-01;1 234 567,25;",
            f"{rate.pk};2024-03-01;12,5;",
            f"{monthly.pk};2024-03-01;1.234;",  # thousands, as the column writes decimals with ,
        ],
        bom=True,
        sep=";",
    )
    result = checked(content, manager)
    assert result.errors == []
    plan = result.plan.set_index("row")
    assert plan.loc[2, "exact"] == "1234.5" and plan.loc[2, "note"] == "Café"
    assert plan.loc[5, "exact"] == "1234567.25"
    assert plan.loc[6, "value"] == 12.5
    assert plan.loc[7, "value"] == 1234


def test_thousands_separators_with_decimal_points(kpis, manager):
    monthly, *_ = kpis
    content = csv_bytes(
        [f'{monthly.pk},2024-01-01,"1,234",', f'{monthly.pk},2024-02-01,"2,500.75",'],
    )
    result = checked(content, manager)
    assert result.errors == []
    assert list(result.plan["value"]) == [1234, 2500.75]


def test_not_utf8_is_refused_with_advice(manager):
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        read_table("kpi_id,period,value\n1,2024-01-01,Café\n".encode("latin-1"), "m.csv")


def test_excel_dates_numbers_and_serials(kpis, manager):
    monthly, weekly, rate = kpis
    content = xlsx_bytes(
        [
            (monthly.pk, datetime(2024, 1, 1), 1500.5, "from Excel"),
            (monthly.pk, 45323, 10, None),  # Excel serial for 2024-02-01
            (None, None, None, None),  # a blank row
            (weekly.pk, "2024-W10", "7", None),
            (rate.pk, datetime(2024, 3, 1, 0, 0), "95,5", None),
            (monthly.pk, datetime(2024, 3, 15), 1, None),
        ]
    )
    result = checked(content, manager, name="m.xlsx")
    assert errors_of(result) == [
        (7, "period", "Bad period: 15 Mar 2024 does not start a month; did you mean 2024-03-01?")
    ]
    frame = read_table(content, "m.xlsx")
    assert list(frame["_row"]) == [2, 3, 5, 6, 7]  # sheet row numbers, blank row skipped


def test_file_level_problems(manager, settings):
    with pytest.raises(ImportFileError, match="no 'value' column"):
        read_table(b"kpi_id,period\n1,2024-01-01\n", "m.csv")
    with pytest.raises(ImportFileError, match="no rows of data"):
        read_table(b"kpi_id,period,value\n\n\n", "m.csv")
    with pytest.raises(ImportFileError, match=r"\.csv or \.xlsx"):
        read_table(b"x", "m.pdf")
    with pytest.raises(ImportFileError, match="not a readable Excel"):
        read_table(b"not a zip", "m.xlsx")
    with pytest.raises(ImportFileError, match="Line 3 has 4 cells but the header has 3"):
        read_table(b"kpi_id,period,value\n1,2024-01-01,3\n1,2024-02-01,3,4\n", "m.csv")
    with pytest.raises(ImportFileError, match="appears twice"):
        read_table(b"kpi_id,period,value,Value\n1,2024-01-01,3,4\n", "m.csv")
    settings.KPI_IMPORT_MAX_ROWS = 3
    rows = "\n".join(f"1,2024-0{m}-01,3" for m in range(1, 6))
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_table(f"kpi_id,period,value\n{rows}\n".encode(), "m.csv")
    with pytest.raises(ImportFileError, match="more than 3"):
        read_table(xlsx_bytes([(1, "2024-01-01", 1)] * 5), "m.xlsx")
    settings.KPI_IMPORT_MAX_BYTES = 10
    with pytest.raises(ImportFileError, match="the limit is 0 MB"):
        read_table(b"kpi_id,period,value\n1,2024-01-01,3\n", "m.csv")


# Through the pages ---------------------------------------------------------------------------


def upload(client, content, name="m.csv"):
    return client.post(
        reverse("kpis:import_start"), {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_preview_then_confirm_writes_everything_with_history(client, kpis, manager, frozen):
    monthly, weekly, _ = kpis
    measure(monthly, date(2024, 1, 1), 10)
    client.force_login(manager)
    with frozen(TODAY):
        response = upload(
            client,
            csv_bytes([f"{monthly.pk},2024-01-01,12,restated", f"{weekly.pk},2024-W10,3,"]),
        )
        batch = MeasurementImport.objects.get()
        assert batch.state == "ready"
        assert "Ready to import" in response.text and "Corrections" in response.text
        assert Measurement.objects.count() == 1
        response = client.post(reverse("kpis:import_confirm", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.state == "done" and (batch.created_count, batch.corrected_count) == (1, 1)
    assert "Imported" in response.text
    corrected = Measurement.objects.get(kpi=monthly)
    assert corrected.value == Decimal("12") and corrected.source == "import"
    assert corrected.import_batch == batch and corrected.note == "restated"
    assert MeasurementRevision.objects.get().value == Decimal("10")
    # Confirming twice writes nothing more.
    client.post(reverse("kpis:import_confirm", args=[batch.pk]))
    assert Measurement.objects.count() == 2


def test_errors_page_lists_rows_and_nothing_can_be_confirmed(client, kpis, manager, frozen):
    monthly, *_ = kpis
    client.force_login(manager)
    with frozen(TODAY):
        response = upload(client, csv_bytes([f"{monthly.pk},2024-01-15,1,"]))
    batch = MeasurementImport.objects.get()
    assert batch.state == "invalid" and batch.error_count == 1
    assert "does not start a month" in response.text
    client.post(reverse("kpis:import_confirm", args=[batch.pk]))
    assert not Measurement.objects.exists()


def test_file_errors_are_shown_on_the_import_page(client, manager, db):
    client.force_login(manager)
    response = upload(client, b"kpi_id;periode;value\n1;2024-01-01;3\n")
    assert "no &#x27;period&#x27; column" in response.text or "no 'period' column" in response.text
    assert MeasurementImport.objects.get().state == "invalid"


def test_an_import_failing_on_its_last_row_writes_nothing(client, kpis, manager, frozen):
    monthly, weekly, _ = kpis
    rows = [f"{monthly.pk},2024-0{m}-01,{m},".replace("-0", "-0") for m in range(1, 6)]
    rows.append(f"{weekly.pk},2024-W10,2,")
    client.force_login(manager)
    with frozen(TODAY):
        upload(client, csv_bytes(rows))
        batch = MeasurementImport.objects.get()
        assert batch.state == "ready"
        # Between preview and confirm, the last row's KPI is switched off.
        Kpi.objects.filter(pk=weekly.pk).update(is_active=False)
        client.post(reverse("kpis:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "invalid"
    assert batch.errors[0]["row"] == 7 and "inactive" in batch.errors[0]["message"]
    assert not Measurement.objects.exists()


def test_a_database_failure_mid_write_rolls_everything_back(
    client, kpis, manager, frozen, monkeypatch
):
    monthly, weekly, _ = kpis
    monkeypatch.setattr(writing, "WRITE_CHUNK", 2)
    rows = [f"{monthly.pk},2024-0{m}-01,{m}," for m in range(1, 6)]
    client.force_login(manager)
    real = Measurement.objects.bulk_create
    calls = []

    def fail_on_last_chunk(objs, **kwargs):
        calls.append(len(objs))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(objs, **kwargs)

    with frozen(TODAY):
        upload(client, csv_bytes(rows))
        batch = MeasurementImport.objects.get()
        monkeypatch.setattr(Measurement.objects, "bulk_create", fail_on_last_chunk)
        client.post(reverse("kpis:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert calls == [2, 2, 1]
    assert batch.state == "failed" and "nothing was written" in batch.message
    assert not Measurement.objects.exists()


def test_confirmed_import_recomputes_snapshots_after_commit(
    client, kpis, manager, frozen, django_capture_on_commit_callbacks
):
    monthly, *_ = kpis
    client.force_login(manager)
    with frozen(TODAY), django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes([f"{monthly.pk},2024-01-01,50,"]))
        batch = MeasurementImport.objects.get()
        client.post(reverse("kpis:import_confirm", args=[batch.pk]))
    assert Snapshot.objects.filter(kpi=monthly, period=date(2024, 1, 1), status="off_track")


def test_large_imports_run_as_a_task_with_progress(
    client, kpis, manager, frozen, settings, django_capture_on_commit_callbacks
):
    monthly, weekly, _ = kpis
    settings.KPI_IMPORT_ASYNC_ROWS = 3
    rows = [f"{weekly.pk},{date.fromisocalendar(2023, w, 1)},{w}," for w in range(1, 21)]
    client.force_login(manager)
    with frozen(TODAY):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(
                reverse("kpis:import_start"), {"file": SimpleUploadedFile("w.csv", csv_bytes(rows))}
            )
        batch = MeasurementImport.objects.get()
        page = client.get(batch.get_absolute_url())
        assert "Checking the file" in page.text and 'data-hx-trigger="every 1s"' in page.text
        assert response.status_code == 302 and len(callbacks) == 1
        callbacks[0]()  # the Celery task (eager here; a real worker in test_celery_worker)
        batch.refresh_from_db()
        assert batch.state == "ready" and batch.total_rows == 20
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("kpis:import_confirm", args=[batch.pk]))
        poll = client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true")
    batch.refresh_from_db()
    assert batch.state == "done" and batch.created_count == 20
    assert "every 1s" not in poll.text and 'id="import-status"' in poll.text
    assert "<html" not in poll.text


def test_an_import_belongs_to_its_uploader(client, kpis, manager, coo, frozen):
    monthly, *_ = kpis
    client.force_login(manager)
    with frozen(TODAY):
        upload(client, csv_bytes([f"{monthly.pk},2024-01-01,5,"]))
    batch = MeasurementImport.objects.get()
    client.force_login(coo)
    assert client.get(batch.get_absolute_url()).status_code == 404
    assert client.post(reverse("kpis:import_confirm", args=[batch.pk])).status_code == 404
    assert not Measurement.objects.exists()


def test_templates_download(client, kpis, manager):
    monthly, *_ = kpis
    client.force_login(manager)
    response = client.get(reverse("kpis:import_template", args=["csv"]))
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "kpi_id,partnership,kpi,unit,frequency,period,value,note"
    assert f"{monthly.pk},Joint analytics offering,Revenue" in text
    response = client.get(reverse("kpis:import_template", args=["xlsx"]))
    frame = read_table(response.content, "t.xlsx") if False else None
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.active["A1"].value == "kpi_id" and frame is None


def test_the_largest_allowed_file_validates_whole(partnership, manager):
    # 100,000 rows, KPI_IMPORT_MAX_ROWS, with decimal commas. How fast is the benchmark's
    # business (benchmarks/run.py, "import"), not this test's.
    kpis = [
        make_kpi(partnership, frequency="weekly", unit="ratio", name=f"W{i}") for i in range(100)
    ]
    weeks = pd.date_range("2003-01-06", periods=1000, freq="7D").strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "kpi_id": np.repeat([str(k.pk) for k in kpis], 1000),
            "period": np.tile(weeks, 100),
            "value": np.tile([f"{v},5" for v in range(1000)], 100),
            "note": "",
        }
    )
    content = frame.to_csv(index=False).encode()
    result = checked(content, manager)
    assert result.errors == [] and len(result.plan) == 100_000
    assert sorted(result.plan["value"])[::20_000] == [0.5, 200.5, 400.5, 600.5, 800.5]
    assert set(result.plan["outcome"]) == {"create"}
