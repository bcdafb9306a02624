from django.urls import path

from . import views

app_name = "governance"

P = "partnerships/<int:pk>/"

urlpatterns = [
    path("risks/", views.portfolio_risks, name="portfolio_risks"),
    # Due diligence
    path(P + "due-diligence/", views.dd_panel, name="dd"),
    path(P + "due-diligence/start/", views.dd_start, name="dd_start"),
    path(P + "due-diligence/edit/", views.dd_edit, name="dd_edit"),
    path(P + "due-diligence/sign-off/", views.dd_sign_off, name="dd_sign_off"),
    path(P + "due-diligence/items/<int:item_pk>/", views.dd_item, name="dd_item"),
    path(
        P + "due-diligence/items/<int:item_pk>/evidence/",
        views.dd_evidence_upload,
        name="dd_evidence_upload",
    ),
    path(
        P + "due-diligence/evidence/<int:evidence_pk>/",
        views.dd_evidence_download,
        name="dd_evidence_download",
    ),
    path(
        P + "due-diligence/evidence/<int:evidence_pk>/delete/",
        views.dd_evidence_delete,
        name="dd_evidence_delete",
    ),
    # Governance structure
    path(P + "governance/", views.governance_panel, name="governance"),
    path(P + "governance/raci/", views.raci_update, name="raci"),
    path(P + "governance/roles/new/", views.role_form, name="role_create"),
    path(P + "governance/roles/<int:role_pk>/", views.role_form, name="role_edit"),
    path(P + "governance/roles/<int:role_pk>/delete/", views.role_delete, name="role_delete"),
    # Meetings, decisions, actions, reviews
    path(P + "meetings/", views.meetings_panel, name="meetings"),
    path(P + "meetings/new/", views.meeting_form, name="meeting_create"),
    path(P + "meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path(P + "meetings/<int:meeting_pk>/edit/", views.meeting_form, name="meeting_edit"),
    path(P + "cadences/new/", views.cadence_form, name="cadence_create"),
    path(P + "cadences/<int:cadence_pk>/", views.cadence_form, name="cadence_edit"),
    path(P + "actions/new/", views.action_form, name="action_create"),
    path(P + "actions/<int:action_pk>/", views.action_form, name="action_edit"),
    path(P + "actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path(P + "reviews/new/", views.review_form, name="review_create"),
    path(P + "reviews/<int:review_pk>/", views.review_form, name="review_edit"),
    # Risks
    path(P + "risks/", views.risks_panel, name="risks"),
    path(P + "risks/new/", views.risk_form, name="risk_create"),
    path(P + "risks/<int:risk_pk>/", views.risk_form, name="risk_edit"),
]
