import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from governance import services
from governance.models import Checklist, ChecklistItem, ChecklistTemplate, ItemStatus
from governance.selectors import dd_progress, dd_score

from .conftest import conclude_all, make_template, start_checklist


def test_default_template_ships_with_every_section(db):
    template = ChecklistTemplate.objects.get(is_default=True)
    sections = set(template.items.values_list("section", flat=True))
    assert sections == {
        "financial",
        "reputation",
        "operational",
        "legal",
        "security",
        "strategic",
    }
    assert template.items.filter(required=True).exists()


def test_start_copies_the_template_and_later_edits_do_not_touch_it(partnership, manager):
    template = make_template()
    checklist = start_checklist(partnership, manager, template)

    template.items.filter(question="Audited accounts").update(question="Changed question", weight=9)
    template.items.create(section="legal", question="A new item", required=True)

    items = list(checklist.items.order_by("order"))
    assert [i.question for i in items] == [
        "Audited accounts",
        "Sanctions screening",
        "Customer references",
    ]
    assert [i.weight for i in items] == [2, 1, 1]
    assert [i.required for i in items] == [True, True, False]
    assert checklist.template_name == template.name
    assert all(i.status == ItemStatus.NOT_STARTED for i in items)


def test_due_diligence_starts_once(partnership, manager):
    start_checklist(partnership, manager)
    with pytest.raises(ValidationError, match="already started"):
        start_checklist(partnership, manager)
    assert Checklist.objects.count() == 1


def test_start_from_the_page_uses_the_default_template(client, partnership, manager):
    client.force_login(manager)
    template = ChecklistTemplate.objects.get(is_default=True)
    response = client.post(
        reverse("governance:dd_start", kwargs={"pk": partnership.pk}),
        {"template": template.pk},
    )
    assert response.status_code == 302
    assert partnership.dd_checklist.items.count() == template.items.count()


def test_waiver_needs_a_reason_in_the_service(partnership, manager):
    item = start_checklist(partnership, manager).items.first()
    with pytest.raises(ValidationError) as error:
        services.checklist_item_update(item=item, by=manager, status="waived", waiver_reason="  ")
    assert error.value.message_dict == {"waiver_reason": ["Say why this item is waived."]}
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_STARTED


def test_waiver_needs_a_reason_in_the_database(partnership, manager):
    item = start_checklist(partnership, manager).items.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistItem.objects.filter(pk=item.pk).update(status="waived", waiver_reason="")


def test_waiver_form_shows_the_error(client, partnership, manager):
    item = start_checklist(partnership, manager).items.first()
    client.force_login(manager)
    url = reverse("governance:dd_item", kwargs={"pk": partnership.pk, "item_pk": item.pk})
    response = client.post(url, {"status": "waived", "waiver_reason": ""})
    assert response.status_code == 422
    assert "Say why this item is waived." in response.text
    response = client.post(url, {"status": "waived", "waiver_reason": "Listed company."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.waiver_reason, item.reviewer) == (
        "waived",
        "Listed company.",
        manager,
    )
    assert item.reviewed_at is not None


def test_concluding_records_reviewer_and_reopening_clears_it(partnership, manager):
    item = start_checklist(partnership, manager).items.first()
    item = services.checklist_item_update(item=item, by=manager, status="passed", rating=5)
    assert item.reviewer == manager and item.reviewed_at
    item = services.checklist_item_update(item=item, by=manager, status="in_progress")
    assert item.reviewer is None and item.reviewed_at is None


def test_only_an_executive_signs_off(partnership, manager):
    checklist = start_checklist(partnership, manager)
    conclude_all(checklist, manager)
    with pytest.raises(PermissionDenied):
        services.checklist_sign_off(checklist=checklist, by=manager)


def test_sign_off_needs_required_items_cleared(partnership, manager, coo):
    checklist = start_checklist(partnership, manager)
    with pytest.raises(ValidationError) as error:
        services.checklist_sign_off(checklist=checklist, by=coo)
    assert "Pass or waive the required due-diligence item ‘Audited accounts’." in (
        error.value.messages
    )
    checklist.refresh_from_db()
    assert not checklist.is_signed_off


def test_signed_off_checklist_is_read_only(partnership, manager, coo):
    checklist = start_checklist(partnership, manager)
    conclude_all(checklist, manager)
    checklist = services.checklist_sign_off(checklist=checklist, by=coo, note="Fine.")
    assert checklist.signed_off_by == coo and checklist.signed_off_at

    item = checklist.items.first()
    with pytest.raises(ValidationError, match="signed off"):
        services.checklist_item_update(item=item, by=coo, status="failed")
    with pytest.raises(ValidationError, match="signed off"):
        services.checklist_update(checklist=checklist, due_date=None)
    with pytest.raises(ValidationError, match="signed off"):
        services.checklist_sign_off(checklist=checklist, by=coo)
    item.refresh_from_db()
    assert item.status == "passed"


def test_signed_off_item_cannot_be_changed_through_the_page(client, partnership, manager, coo):
    checklist = start_checklist(partnership, manager)
    conclude_all(checklist, manager)
    services.checklist_sign_off(checklist=checklist, by=coo)
    item = checklist.items.first()
    client.force_login(coo)
    url = reverse("governance:dd_item", kwargs={"pk": partnership.pk, "item_pk": item.pk})
    page = client.get(url)
    assert "this item is read-only" in page.text
    assert 'name="status"' not in page.text
    response = client.post(url, {"status": "failed", "rating": "1"})
    assert response.status_code == 422
    assert "can no longer be changed" in response.text
    item.refresh_from_db()
    assert item.status == "passed"


def test_sign_off_from_the_page(client, partnership, manager, coo):
    checklist = start_checklist(partnership, manager)
    url = reverse("governance:dd_sign_off", kwargs={"pk": partnership.pk})
    client.force_login(coo)
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 422
    assert "Not ready to sign off yet" in refused.text
    conclude_all(checklist, manager)
    assert client.post(url, {"note": "Clean."}).status_code == 302
    checklist.refresh_from_db()
    assert checklist.signed_off_by == coo and checklist.sign_off_note == "Clean."


def test_weighted_progress_and_score(partnership, manager):
    checklist = start_checklist(partnership, manager)
    accounts, sanctions, references = checklist.items.order_by("order")
    services.checklist_item_update(item=accounts, by=manager, status="passed", rating=5)
    services.checklist_item_update(item=references, by=manager, status="failed", rating=2)
    items = list(checklist.items.all())
    # weights 2, 1, 1: 3 of 4 weight concluded
    assert dd_progress(items) == 75
    # (2*5 + 1*2) / (2*5 + 1*5) = 12/15
    assert dd_score(items) == 80
    assert dd_score([sanctions]) is None


def test_panel_shows_progress_and_the_start_button(client, partnership, manager):
    client.force_login(manager)
    url = reverse("governance:dd", kwargs={"pk": partnership.pk})
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="panel-dd-body">')
    assert "Start due diligence" in response.text
    start_checklist(partnership, manager)
    response = client.get(url, headers={"HX-Request": "true"})
    assert "Progress" in response.text and "0%" in response.text
    full = client.get(url)
    assert "<html" in full.text and "Checklist items" in full.text
