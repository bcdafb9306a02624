import re

import pytest
from django.urls import reverse

from kpis.models import Measurement, Source
from outbox.models import Message
from portal import invites
from portal.models import Invitation, PartnerUser, Submission
from tests.portal.conftest import last_period


@pytest.fixture
def contact(partnership):
    return partnership.partner.contacts.create(name="Nadia North", email="nadia@north.example")


def test_owner_invites_and_the_contact_sets_a_password(
    client, manager, partnership, contact, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = reverse("partner_access:invite", args=[partnership.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"contact": contact.pk})
    assert response.status_code == 302
    message = Message.objects.get(recipient="nadia@north.example")
    assert message.key.startswith("portal-invitation-")
    link = re.search(r"http\S+/portal/invitation/\S+/", message.text).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1]
    client.logout()
    assert client.get(path).status_code == 200
    response = client.post(path, {"password1": "a-long-pass-77", "password2": "a-long-pass-77"})
    assert response.status_code == 302 and response.url == reverse("portal:home")
    profile = PartnerUser.objects.get(contact=contact)
    assert profile.partnerships.get() == partnership
    # Single use.
    client.logout()
    assert client.get(path).status_code == 410
    # Logging in lands in the portal; internal pages are 404.
    response = client.post(
        reverse("login"), {"username": "nadia@north.example", "password": "a-long-pass-77"}
    )
    assert response.url == reverse("portal:home")
    assert client.get(reverse("partnerships:home")).status_code == 404
    assert client.get(reverse("portal:partnership", args=[partnership.pk])).status_code == 200


def test_revoked_and_expired_invitations_do_not_work(client, manager, partnership, contact):
    invitation = invites.invite(contact=contact, partnership=partnership, by=manager)
    token = invites.token_for(invitation)
    invites.revoke(invitation=invitation, by=manager)
    assert client.get(reverse("portal:accept", args=[token])).status_code == 410
    invitation = invites.invite(contact=contact, partnership=partnership, by=manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    token = invites.token_for(invitation)
    assert client.get(reverse("portal:accept", args=[token])).status_code == 410
    assert client.get(reverse("portal:accept", args=["garbage"])).status_code == 410


def test_viewer_cannot_invite(client, viewer, partnership, contact):
    client.force_login(viewer)
    url = reverse("partner_access:invite", args=[partnership.pk])
    assert client.post(url, {"contact": contact.pk}).status_code == 403


def test_deactivated_partner_user_cannot_sign_in(client, manager, world):
    pa = world["pa"]
    client.force_login(manager)
    url = reverse("partner_access:deactivate", args=[world["a"].pk, pa.pk])
    assert client.post(url).status_code == 302
    pa.user.refresh_from_db()
    assert not pa.user.is_active
    client.logout()
    assert not client.login(username="pia", password="pw-for-tests-1")


def test_partner_sees_only_shared_kpis(client, world):
    client.force_login(world["pa"].user)
    page = client.get(reverse("portal:partnership", args=[world["a"].pk])).content.decode()
    assert "Joint deals" in page
    assert "Our margin %" not in page
    assert "manager@example.com" not in page


def test_value_without_acceptance_counts_at_once(client, world):
    kpi = world["shared"]
    period = last_period(kpi)
    client.force_login(world["pa"].user)
    response = client.post(
        reverse("portal:entry"),
        {f"v-{kpi.pk}-{period}": "42", f"o-{kpi.pk}-{period}": ""},
    )
    assert response.status_code == 302
    m = Measurement.objects.get(kpi=kpi, period=period)
    assert m.source == Source.PARTNER and m.value == 42


def test_bad_cell_and_good_cell(client, world):
    kpi = world["shared"]
    period = last_period(kpi)
    client.force_login(world["pa"].user)
    from kpis import periods

    before = periods.previous_period(period, kpi.frequency)
    response = client.post(
        reverse("portal:entry"),
        {f"v-{kpi.pk}-{period}": "12", f"v-{kpi.pk}-{before}": "-3.5"},
    )
    assert response.status_code == 422
    assert "whole number" in response.content.decode()
    assert Measurement.objects.filter(kpi=kpi, period=period).exists()
    assert not Measurement.objects.filter(kpi=kpi, period=before).exists()


def test_value_needing_acceptance_waits_then_counts(client, manager, world):
    kpi = world["shared"]
    kpi.partner_values_need_acceptance = True
    kpi.save()
    period = last_period(kpi)
    client.force_login(world["pa"].user)
    response = client.post(
        reverse("portal:entry_cell"),
        {"kpi": kpi.pk, "period": period, f"v-{kpi.pk}-{period}": "55"},
    )
    assert response.status_code == 200
    assert not Measurement.objects.filter(kpi=kpi).exists()
    submission = Submission.objects.get(kpi=kpi, state="pending")
    client.force_login(manager)
    panel = client.get(reverse("partner_access:panel", args=[world["a"].pk])).content.decode()
    assert "Joint deals" in panel
    url = reverse("partner_access:accept", args=[world["a"].pk, submission.pk])
    assert client.post(url).status_code == 302
    m = Measurement.objects.get(kpi=kpi, period=period)
    assert m.source == Source.PARTNER and m.value == 55


def test_rejected_value_carries_its_reason_back(client, manager, world):
    kpi = world["shared"]
    kpi.partner_values_need_acceptance = True
    kpi.save()
    period = last_period(kpi)
    client.force_login(world["pa"].user)
    client.post(reverse("portal:entry"), {f"v-{kpi.pk}-{period}": "55"})
    submission = Submission.objects.get(kpi=kpi)
    client.force_login(manager)
    url = reverse("partner_access:reject", args=[world["a"].pk, submission.pk])
    client.post(url, {"reason": "Counts only signed deals"})
    assert not Measurement.objects.filter(kpi=kpi).exists()
    client.force_login(world["pa"].user)
    page = client.get(reverse("portal:submissions")).content.decode()
    assert "Counts only signed deals" in page


def test_our_side_kpi_is_403_to_enter(client, world):
    client.force_login(world["pa"].user)
    kpi = world["shared"]
    kpi.entered_by = "ours"
    kpi.save()
    period = last_period(kpi)
    response = client.post(
        reverse("portal:entry_cell"), {"kpi": kpi.pk, "period": period, f"v-{kpi.pk}-{period}": "1"}
    )
    assert response.status_code == 403


def test_objective_agreed_by_both_then_changed(client, manager, world):
    objective = world["shared_obj"]
    client.force_login(world["pa"].user)
    client.post(reverse("portal:objective_agree", args=[objective.pk]))
    client.force_login(manager)
    panel = client.get(reverse("partner_access:panel", args=[world["a"].pk])).content.decode()
    assert f'id="unagreed-{objective.pk}"' in panel and "Waiting on us" in panel
    client.post(reverse("partner_access:agree", args=[world["a"].pk, objective.pk]))
    panel = client.get(reverse("partner_access:panel", args=[world["a"].pk])).content.decode()
    assert f'id="unagreed-{objective.pk}"' not in panel
    objective.title = "Grow joint revenue by 20%"
    objective.save()
    panel = client.get(reverse("partner_access:panel", args=[world["a"].pk])).content.decode()
    assert f'id="unagreed-{objective.pk}"' in panel and "Waiting on both sides" in panel


def test_partner_proposes_a_change(client, manager, world):
    from portal import agreements

    objective = world["shared_obj"]
    agreements.agree(objective=objective, side="ours", by=manager)
    client.force_login(world["pa"].user)
    client.post(
        reverse("portal:objective_propose", args=[objective.pk]), {"comment": "Make it 15%"}
    )
    page = client.get(reverse("portal:objectives", args=[world["a"].pk])).content.decode()
    assert "Make it 15%" in page and "Proposed" in page


def test_owner_sets_what_the_partner_sees_and_enters(client, manager, viewer, world):
    kpi = world["internal"]
    url = reverse("partner_access:kpis", args=[world["a"].pk])
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    client.force_login(manager)
    data = {f"shared-{kpi.pk}": "yes", f"entered-{kpi.pk}": "partner", f"accept-{kpi.pk}": "on"}
    assert client.post(url, data).status_code == 302
    kpi.refresh_from_db()
    assert (kpi.shared_with_partner, kpi.entered_by, kpi.partner_values_need_acceptance) == (
        True,
        "partner",
        True,
    )
    client.force_login(world["pa"].user)
    page = client.get(reverse("portal:partnership", args=[world["a"].pk])).content.decode()
    assert "Our margin %" in page


def _upload(client, name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(reverse("portal:import_start"), {"file": upload})


def test_partner_import_is_all_or_nothing_and_scoped(client, world):
    from kpis.models import MeasurementImport

    kpi = world["shared"]
    period = last_period(kpi)
    client.force_login(world["pa"].user)
    # Another partner's KPI and our internal one are unknown; a bad value is an error: nothing.
    response = _upload(
        client,
        "values.csv",
        "kpi_id,period,value\n"
        f"{kpi.pk},{period},12\n"
        f"{world['b_kpi'].pk},{period},3\n"
        f"{world['internal'].pk},{period},3\n"
        f"{kpi.pk},{period:%Y-%m},abc\n",
    )
    batch = MeasurementImport.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert batch.state == "invalid"
    messages = " ".join(e["message"] for e in batch.errors)
    assert messages.count("Unknown KPI") == 2
    assert not Measurement.objects.filter(kpi=kpi).exists()
    page = client.get(response.url).content.decode()
    assert "abc" in page and "Nothing was imported" in page


def test_partner_import_writes_as_partner_and_holds_what_needs_acceptance(client, world):
    from kpis.models import MeasurementImport

    kpi = world["shared"]
    held = world["other_a_kpi"]
    held.partner_values_need_acceptance = True
    held.save()
    from portal.models import PartnershipAccess

    PartnershipAccess.objects.create(partner_user=world["pa"], partnership=world["other_a"])
    client.force_login(world["pa"].user)
    response = _upload(
        client,
        "values.csv",
        f"kpi_id,period,value\n{kpi.pk},{last_period(kpi)},12\n{held.pk},{last_period(held)},7\n",
    )
    batch = MeasurementImport.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert batch.state == "ready", batch.errors
    confirm = reverse("portal:import_confirm", args=[batch.pk])
    assert client.get(confirm).status_code == 403
    assert client.post(confirm).status_code == 302
    m = Measurement.objects.get(kpi=kpi)
    assert m.source == Source.PARTNER and m.value == 12
    assert not Measurement.objects.filter(kpi=held).exists()
    assert Submission.objects.get(kpi=held, state="pending").value == 7
