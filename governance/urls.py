from django.urls import path

from .views import due_diligence, meetings, risks, roles

app_name = "governance"

P = "partnerships/<int:pk>/"

urlpatterns = [
    path("risks/", risks.portfolio_risks, name="portfolio_risks"),
    # Due diligence
    path(P + "due-diligence/", due_diligence.dd_panel, name="dd"),
    path(P + "due-diligence/start/", due_diligence.dd_start, name="dd_start"),
    path(P + "due-diligence/edit/", due_diligence.dd_edit, name="dd_edit"),
    path(P + "due-diligence/sign-off/", due_diligence.dd_sign_off, name="dd_sign_off"),
    path(P + "due-diligence/items/<int:item_pk>/", due_diligence.dd_item, name="dd_item"),
    path(
        P + "due-diligence/items/<int:item_pk>/evidence/",
        due_diligence.dd_evidence_upload,
        name="dd_evidence_upload",
    ),
    path(
        P + "due-diligence/evidence/<int:evidence_pk>/",
        due_diligence.dd_evidence_download,
        name="dd_evidence_download",
    ),
    path(
        P + "due-diligence/evidence/<int:evidence_pk>/delete/",
        due_diligence.dd_evidence_delete,
        name="dd_evidence_delete",
    ),
    # Governance structure
    path(P + "governance/", roles.governance_panel, name="governance"),
    path(P + "governance/raci/", roles.raci_update, name="raci"),
    path(P + "governance/roles/new/", roles.role_form, name="role_create"),
    path(P + "governance/roles/<int:role_pk>/", roles.role_form, name="role_edit"),
    path(P + "governance/roles/<int:role_pk>/delete/", roles.role_delete, name="role_delete"),
    # Meetings, decisions, actions, reviews
    path(P + "meetings/", meetings.meetings_panel, name="meetings"),
    path(P + "meetings/new/", meetings.meeting_form, name="meeting_create"),
    path(P + "meetings/<int:meeting_pk>/", meetings.meeting_detail, name="meeting_detail"),
    path(P + "meetings/<int:meeting_pk>/edit/", meetings.meeting_form, name="meeting_edit"),
    path(P + "cadences/new/", meetings.cadence_form, name="cadence_create"),
    path(P + "cadences/<int:cadence_pk>/", meetings.cadence_form, name="cadence_edit"),
    path(P + "actions/new/", meetings.action_form, name="action_create"),
    path(P + "actions/<int:action_pk>/", meetings.action_form, name="action_edit"),
    path(P + "actions/<int:action_pk>/done/", meetings.action_done, name="action_done"),
    path(P + "actions/<int:action_pk>/undo/", meetings.action_reopen, name="action_reopen"),
    path(P + "reviews/new/", meetings.review_form, name="review_create"),
    path(P + "reviews/<int:review_pk>/", meetings.review_form, name="review_edit"),
    # Risks
    path(P + "risks/", risks.risks_panel, name="risks"),
    path(P + "risks/new/", risks.risk_form, name="risk_create"),
    path(P + "risks/<int:risk_pk>/", risks.risk_form, name="risk_edit"),
]
