"""Uploaded files are private: no media URL serves them (in development either); the evidence
download view checks who asks, role by role."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from governance import services
from governance.models import Evidence
from kpis.models import MeasurementImport
from tests.governance.conftest import start_checklist
from tests.portal.conftest import make_partner_user

PDF = b"%PDF-1.7\nsecret terms"


@pytest.fixture
def evidence(partnership, manager):
    item = start_checklist(partnership, manager).items.order_by("order").first()
    upload = SimpleUploadedFile("terms.pdf", PDF)
    return services.evidence_add(item=item, file=upload, by=manager)


@pytest.fixture
def debug_urls(settings):
    """The URLconf as a development server (DEBUG on) builds it."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def download_url(evidence):
    partnership_id = evidence.item.checklist.partnership_id
    return reverse("governance:dd_evidence_download", args=[partnership_id, evidence.pk])


def test_no_media_url_serves_uploads_even_in_development(client, coo, evidence, debug_urls):
    batch = MeasurementImport.objects.create(
        uploaded_by=coo,
        file=SimpleUploadedFile("m.csv", b"kpi_id,period,value\n"),
        original_name="m.csv",
    )
    client.force_login(coo)
    for name in (evidence.file.name, batch.file.name):
        with pytest.raises(Resolver404):
            resolve(f"/media/{name}")
        assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("coo", 200), ("manager", 200), ("viewer", 200), ("other_manager", 404)],
)
def test_evidence_download_by_role(client, evidence, who, status, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(download_url(evidence))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        response.close()


def test_signed_out_is_sent_to_sign_in(client, evidence):
    response = client.get(download_url(evidence))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_partner_user_cannot_download_internal_evidence(client, partnership, evidence):
    # Even of their own partnership: the portal shows partners the names of the files they
    # sent, never a download of the company's evidence.
    own = make_partner_user(partnership.partner, partnership)
    client.force_login(own.user)
    assert client.get(download_url(evidence)).status_code == 404


def test_admin_links_evidence_through_the_checked_view(admin_client, evidence):
    page = admin_client.get(reverse("admin:governance_evidence_change", args=[evidence.pk]))
    assert page.status_code == 200
    assert download_url(evidence) in page.text
    assert "/media/" not in page.text
    assert Evidence.objects.count() == 1
