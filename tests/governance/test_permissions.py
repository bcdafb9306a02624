"""Every view: viewers read but never write (403), managers off the team see nothing (404),
executives and managers on the team may do everything; sign-off is for executives only."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance import services
from governance.models import (
    ActionItem,
    Checklist,
    ChecklistItem,
    Evidence,
    GovernanceRole,
    Meeting,
    MeetingCadence,
    PerformanceReview,
    Risk,
    RoleKind,
)

from .conftest import (
    make_action,
    make_cadence,
    make_contact,
    make_meeting,
    make_review,
    make_risk,
    make_role,
    start_checklist,
)


@pytest.fixture
def world(partnership, manager, coo):
    checklist = start_checklist(partnership, manager)
    item = checklist.items.order_by("order").first()
    evidence = services.evidence_add(
        item=item, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"), by=manager
    )
    contact = make_contact(partnership)
    sponsor = make_role(
        partnership, RoleKind.EXECUTIVE_SPONSOR, user=coo, decision_rights=["budget"]
    )
    owner = make_role(partnership, RoleKind.OWNER, user=manager)
    meeting = make_meeting(partnership)
    return {
        "p": partnership,
        "checklist": checklist,
        "item": item,
        "evidence": evidence,
        "contact": contact,
        "sponsor": sponsor,
        "owner": owner,
        "meeting": meeting,
        "action": make_action(partnership, manager),
        "cadence": make_cadence(partnership),
        "review": make_review(partnership),
        "risk": make_risk(partnership, manager),
    }


@dataclass
class Case:
    name: str
    kwargs: callable
    method: str = "get"
    data: callable = None
    prepare: callable = None
    executive_only: bool = False
    htmx: bool = False
    files: dict = field(default_factory=dict)
    # For a write: whether its effect is in the database (the row added, changed or gone).
    done: callable = None

    def __str__(self):
        return f"{self.method} {self.name}{' htmx' if self.htmx else ''}"


def pk(w):
    return {"pk": w["p"].pk}


def _conclude(w):
    for item in w["checklist"].items.all():
        services.checklist_item_update(item=item, by=w["owner"].user, status="passed", rating=4)


READS = [
    Case("governance:dd", pk),
    Case("governance:dd", pk, htmx=True),
    Case("governance:governance", pk),
    Case("governance:governance", pk, htmx=True),
    Case("governance:meetings", pk),
    Case("governance:meetings", pk, htmx=True),
    Case("governance:risks", pk),
    Case("governance:risks", pk, htmx=True),
    Case("governance:dd_item", lambda w: {**pk(w), "item_pk": w["item"].pk}),
    Case("governance:dd_evidence_download", lambda w: {**pk(w), "evidence_pk": w["evidence"].pk}),
    Case("governance:meeting_detail", lambda w: {**pk(w), "meeting_pk": w["meeting"].pk}),
    Case("governance:risk_edit", lambda w: {**pk(w), "risk_pk": w["risk"].pk}),
]

WRITES = [
    Case(
        "governance:dd_start",
        pk,
        prepare=lambda w: Checklist.objects.filter(pk=w["checklist"].pk).delete(),
    ),
    Case(
        "governance:dd_start",
        pk,
        "post",
        lambda w: {"template": w["checklist"].template_id},
        prepare=lambda w: Checklist.objects.filter(pk=w["checklist"].pk).delete(),
        done=lambda w: Checklist.objects.filter(partnership=w["p"]).exists(),
    ),
    Case("governance:dd_edit", pk),
    Case(
        "governance:dd_edit",
        pk,
        "post",
        lambda w: {"due_date": "2030-01-01"},
        done=lambda w: Checklist.objects.filter(
            pk=w["checklist"].pk, due_date=date(2030, 1, 1)
        ).exists(),
    ),
    Case(
        "governance:dd_item",
        lambda w: {**pk(w), "item_pk": w["item"].pk},
        "post",
        lambda w: {"status": "passed", "rating": "4"},
        done=lambda w: ChecklistItem.objects.filter(pk=w["item"].pk, status="passed").exists(),
    ),
    Case(
        "governance:dd_evidence_upload",
        lambda w: {**pk(w), "item_pk": w["item"].pk},
        "post",
        lambda w: {"file": SimpleUploadedFile("b.txt", b"notes")},
        done=lambda w: Evidence.objects.filter(item=w["item"], original_name="b.txt").exists(),
    ),
    Case(
        "governance:dd_evidence_delete",
        lambda w: {**pk(w), "evidence_pk": w["evidence"].pk},
        "post",
        lambda w: {},
        done=lambda w: not Evidence.objects.filter(pk=w["evidence"].pk).exists(),
    ),
    Case(
        "governance:dd_sign_off",
        pk,
        "post",
        lambda w: {"note": ""},
        prepare=_conclude,
        executive_only=True,
        done=lambda w: Checklist.objects.get(pk=w["checklist"].pk).is_signed_off,
    ),
    Case(
        "governance:raci",
        pk,
        "post",
        lambda w: {f"raci-{w['owner'].pk}-scope": "A"},
        done=lambda w: w["owner"].raci.filter(area="scope", letter="A").exists(),
    ),
    Case(
        "governance:raci",
        pk,
        "post",
        lambda w: {f"raci-{w['owner'].pk}-scope": "A"},
        htmx=True,
        done=lambda w: w["owner"].raci.filter(area="scope", letter="A").exists(),
    ),
    Case("governance:role_create", pk),
    Case(
        "governance:role_create",
        pk,
        "post",
        lambda w: {"kind": "partner_principal", "contact": w["contact"].pk},
        done=lambda w: GovernanceRole.objects.filter(
            kind="partner_principal", contact=w["contact"]
        ).exists(),
    ),
    Case("governance:role_edit", lambda w: {**pk(w), "role_pk": w["owner"].pk}),
    Case(
        "governance:role_edit",
        lambda w: {**pk(w), "role_pk": w["owner"].pk},
        "post",
        lambda w: {"kind": "owner", "user": w["owner"].user_id, "responsibilities": "All"},
        done=lambda w: GovernanceRole.objects.filter(
            pk=w["owner"].pk, responsibilities="All"
        ).exists(),
    ),
    Case(
        "governance:role_delete",
        lambda w: {**pk(w), "role_pk": w["owner"].pk},
        "post",
        lambda w: {},
        done=lambda w: not GovernanceRole.objects.filter(pk=w["owner"].pk).exists(),
    ),
    Case("governance:meeting_create", pk),
    Case(
        "governance:meeting_create",
        pk,
        "post",
        lambda w: {"kind": "steering", "title": "M", "held_on": "2025-05-01"},
        done=lambda w: Meeting.objects.filter(partnership=w["p"], title="M").exists(),
    ),
    Case("governance:meeting_edit", lambda w: {**pk(w), "meeting_pk": w["meeting"].pk}),
    Case(
        "governance:meeting_detail",
        lambda w: {**pk(w), "meeting_pk": w["meeting"].pk},
        "post",
        lambda w: {"summary": "Spend", "decided_by": w["sponsor"].pk, "area": "budget"},
        done=lambda w: w["meeting"].decisions.filter(summary="Spend", area="budget").exists(),
    ),
    Case("governance:cadence_create", pk),
    Case(
        "governance:cadence_create",
        pk,
        "post",
        lambda w: {"kind": "qbr", "frequency": "quarterly", "start_date": "2025-01-01"},
        done=lambda w: MeetingCadence.objects.filter(partnership=w["p"], kind="qbr").exists(),
    ),
    Case("governance:cadence_edit", lambda w: {**pk(w), "cadence_pk": w["cadence"].pk}),
    Case("governance:action_create", pk),
    Case(
        "governance:action_create",
        pk,
        "post",
        lambda w: {
            "title": "Do it",
            "due_date": "2025-06-01",
            "status": "open",
            "owner_contact": w["contact"].pk,
        },
        done=lambda w: ActionItem.objects.filter(
            partnership=w["p"], title="Do it", owner_contact=w["contact"]
        ).exists(),
    ),
    Case("governance:action_edit", lambda w: {**pk(w), "action_pk": w["action"].pk}),
    Case(
        "governance:action_done",
        lambda w: {**pk(w), "action_pk": w["action"].pk},
        "post",
        lambda w: {},
        done=lambda w: ActionItem.objects.filter(pk=w["action"].pk, status="done").exists(),
    ),
    Case(
        "governance:action_done",
        lambda w: {**pk(w), "action_pk": w["action"].pk},
        "post",
        lambda w: {},
        htmx=True,
        done=lambda w: ActionItem.objects.filter(pk=w["action"].pk, status="done").exists(),
    ),
    Case(
        "governance:action_reopen",
        lambda w: {**pk(w), "action_pk": w["action"].pk},
        "post",
        lambda w: {},
        prepare=lambda w: ActionItem.objects.filter(pk=w["action"].pk).update(status="done"),
        done=lambda w: ActionItem.objects.filter(pk=w["action"].pk, status="open").exists(),
    ),
    Case("governance:review_create", pk),
    Case(
        "governance:review_create",
        pk,
        "post",
        lambda w: {
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "rating": "3",
            "went_well": "a",
            "went_badly": "b",
            "recommendation": "continue",
            "reviewed_on": "2025-04-02",
        },
        done=lambda w: PerformanceReview.objects.filter(
            partnership=w["p"], reviewed_on=date(2025, 4, 2)
        ).exists(),
    ),
    Case("governance:review_edit", lambda w: {**pk(w), "review_pk": w["review"].pk}),
    Case("governance:risk_create", pk),
    Case(
        "governance:risk_create",
        pk,
        "post",
        lambda w: {
            "title": "New",
            "category": "legal",
            "likelihood": "2",
            "impact": "3",
            "status": "open",
        },
        done=lambda w: Risk.objects.filter(partnership=w["p"], title="New").exists(),
    ),
    Case(
        "governance:risk_edit",
        lambda w: {**pk(w), "risk_pk": w["risk"].pk},
        "post",
        lambda w: {
            "title": "Edited",
            "category": "legal",
            "likelihood": "2",
            "impact": "3",
            "status": "open",
        },
        done=lambda w: Risk.objects.filter(pk=w["risk"].pk, title="Edited").exists(),
    ),
]


def call(client, user, case, world, *, prepare=True):
    if prepare and case.prepare:
        case.prepare(world)
    client.force_login(user)
    url = reverse(case.name, kwargs=case.kwargs(world))
    headers = {"HX-Request": "true"} if case.htmx else {}
    if case.method == "post":
        response = client.post(url, case.data(world), headers=headers)
    else:
        response = client.get(url, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
        response.close()
    return response


@pytest.mark.parametrize("case", READS, ids=str)
@pytest.mark.parametrize("who", ["coo", "manager", "viewer"])
def test_team_and_executives_can_read(client, world, case, who, request):
    response = call(client, request.getfixturevalue(who), case, world)
    assert response.status_code == 200


@pytest.mark.parametrize("case", READS + WRITES, ids=str)
def test_manager_off_the_team_gets_404(client, world, case, other_manager):
    assert call(client, other_manager, case, world).status_code == 404
    assert not (case.done and case.done(world))


@pytest.mark.parametrize("case", WRITES, ids=str)
def test_viewer_gets_403_on_writes(client, world, case, viewer):
    assert call(client, viewer, case, world).status_code == 403
    assert not (case.done and case.done(world))


@pytest.mark.parametrize("case", WRITES, ids=str)
@pytest.mark.parametrize("who", ["coo", "manager"])
def test_executive_and_team_manager_can_write(client, world, case, who, request):
    response = call(client, request.getfixturevalue(who), case, world)
    if case.executive_only and who == "manager":
        assert response.status_code == 403
        assert not case.done(world)
    elif case.method == "get":
        assert response.status_code == 200
    else:
        # A page form redirects after its write; an HTMX one answers with the fragment.
        assert response.status_code == (200 if case.htmx else 302), response.text[:2000]
        assert case.done(world)


def test_allowed_writes_took_effect(client, world, manager):
    client.force_login(manager)
    p = world["p"]
    client.post(reverse("governance:dd_edit", kwargs={"pk": p.pk}), {"due_date": "2030-01-01"})
    world["checklist"].refresh_from_db()
    assert world["checklist"].due_date == date(2030, 1, 1)
    client.post(
        reverse(
            "governance:dd_evidence_delete",
            kwargs={"pk": p.pk, "evidence_pk": world["evidence"].pk},
        )
    )
    assert not Evidence.objects.exists()
