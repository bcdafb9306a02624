from django.urls import path

from . import views

app_name = "integration"

P = "partnerships/<int:pk>/plan/"

urlpatterns = [
    path(P, views.plan_panel, name="plan"),
    path(P + "workstreams/new/", views.workstream_form, name="workstream_create"),
    path(P + "workstreams/<int:workstream_pk>/", views.workstream_form, name="workstream_edit"),
    path(
        P + "workstreams/<int:workstream_pk>/milestones/new/",
        views.milestone_form,
        name="milestone_create",
    ),
    path(P + "milestones/<int:milestone_pk>/", views.milestone_form, name="milestone_edit"),
    path(P + "milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone_done"),
    path(
        P + "milestones/<int:milestone_pk>/reopen/",
        views.milestone_reopen,
        name="milestone_reopen",
    ),
]
