from django.urls import path, re_path

from . import goal_views, rate_views, views, work_views

app_name = "partnerships"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/", views.partnership_list, name="list"),
    path("partnerships/new/", views.partnership_create, name="create"),
    re_path(r"^partnerships/export\.(?P<fmt>csv|xlsx)$", views.partnership_export, name="export"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="detail"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="edit"),
    path("partnerships/<int:pk>/move/", views.partnership_move, name="move"),
    path("partnerships/<int:pk>/timeline/", views.partnership_timeline, name="timeline"),
    path("partnerships/<int:pk>/objectives/new/", views.objective_form, name="objective_create"),
    path(
        "partnerships/<int:pk>/objectives/<int:objective_pk>/edit/",
        views.objective_form,
        name="objective_edit",
    ),
    path("partnerships/<int:pk>/agreement/", views.agreement_form, name="agreement"),
    path(
        "partnerships/<int:pk>/interactions/new/",
        views.interaction_create,
        name="interaction_create",
    ),
    path(
        "partnerships/<int:pk>/conflicts/<int:interaction_pk>/resolve/",
        views.conflict_resolve,
        name="conflict_resolve",
    ),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_form, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_form, name="partner_edit"),
    path("partners/<int:pk>/contacts/new/", views.contact_form, name="contact_create"),
    path(
        "partners/<int:pk>/contacts/<int:contact_pk>/edit/",
        views.contact_form,
        name="contact_edit",
    ),
    path("my-work/", work_views.my_work, name="my_work"),
    re_path(
        r"^my-work/(?P<kind>[a-z_.]+)/(?P<pk>[0-9]{1,18})/(?P<action>done|undo)/$",
        work_views.my_work_change,
        name="my_work_change",
    ),
    path("goals/", goal_views.goal_list, name="goals"),
    path("goals/new/", goal_views.goal_form, name="goal_create"),
    path("goals/<int:pk>/edit/", goal_views.goal_form, name="goal_edit"),
    path("exchange-rates/", rate_views.rate_list, name="rates"),
    path("exchange-rates/new/", rate_views.rate_form, name="rate_create"),
    path("exchange-rates/<int:pk>/edit/", rate_views.rate_form, name="rate_edit"),
]
