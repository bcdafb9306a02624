import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance import services
from governance.models import Evidence
from governance.uploads import validate_evidence_file

from .conftest import conclude_all, start_checklist

MB = 1024 * 1024
PDF = b"%PDF-1.7\n"


@pytest.fixture
def item(partnership, manager):
    return start_checklist(partnership, manager).items.order_by("order").first()


def upload_url(partnership, item):
    return reverse(
        "governance:dd_evidence_upload", kwargs={"pk": partnership.pk, "item_pk": item.pk}
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("accounts.pdf", PDF + b"x" * 100),
        ("chart.png", b"\x89PNG\r\n\x1a\n" + b"x" * 10),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"x" * 10),
        ("letter.docx", b"PK\x03\x04" + b"x" * 10),
        ("figures.xlsx", b"PK\x03\x04" + b"x" * 10),
        ("figures.csv", b"year,revenue\n2024,10\n"),
        ("notes.txt", "Zahlungsfähigkeit geprüft\n".encode()),
    ],
)
def test_allowed_types(name, content):
    validate_evidence_file(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ", "“setup.exe” is not an allowed file type. Upload a PDF, PNG"),
        ("noextension", b"abc", "is not an allowed file type"),
        ("fake.pdf", b"MZ\x90\x00", "“fake.pdf” does not look like a PDF file"),
        ("binary.txt", b"ab\x00cd", "“binary.txt” does not look like a text file"),
        ("empty.csv", b"", "“empty.csv” is empty."),
    ],
)
def test_refused_types(name, content, message):
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(SimpleUploadedFile(name, content))
    assert message in error.value.messages[0]


def test_size_limit_is_ten_megabytes():
    validate_evidence_file(SimpleUploadedFile("ok.pdf", PDF + b"0" * (10 * MB - len(PDF))))
    with pytest.raises(ValidationError) as error:
        validate_evidence_file(SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * MB)))
    assert error.value.messages == ["“big.pdf” is 10.01 MB; files can be at most 10 MB."]


def test_upload_through_the_page(client, partnership, manager, item):
    client.force_login(manager)
    response = client.post(
        upload_url(partnership, item), {"file": SimpleUploadedFile("accounts.pdf", PDF + b"1")}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.size, evidence.uploaded_by) == (
        "accounts.pdf",
        len(PDF) + 1,
        manager,
    )
    download = client.get(
        reverse(
            "governance:dd_evidence_download",
            kwargs={"pk": partnership.pk, "evidence_pk": evidence.pk},
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF + b"1"
    download.close()
    assert "accounts.pdf" in download["Content-Disposition"]


def test_too_big_upload_shows_the_error_in_the_form(client, partnership, manager, item):
    client.force_login(manager)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * MB))
    response = client.post(upload_url(partnership, item), {"file": big})
    assert response.status_code == 422
    assert "“big.pdf” is 10.01 MB; files can be at most 10 MB." in response.text
    assert not Evidence.objects.exists()


def test_wrong_type_upload_shows_the_error_in_the_form(client, partnership, manager, item):
    client.force_login(manager)
    response = client.post(
        upload_url(partnership, item), {"file": SimpleUploadedFile("tool.exe", b"MZ")}
    )
    assert response.status_code == 422
    assert "“tool.exe” is not an allowed file type" in response.text
    assert not Evidence.objects.exists()


def test_no_upload_after_sign_off(partnership, manager, coo):
    checklist = start_checklist(partnership, manager)
    conclude_all(checklist, manager)
    services.checklist_sign_off(checklist=checklist, by=coo)
    with pytest.raises(ValidationError, match="signed off"):
        services.evidence_add(
            item=checklist.items.first(),
            file=SimpleUploadedFile("late.pdf", PDF),
            by=coo,
        )
    assert not Evidence.objects.exists()
