from django.urls import path

from . import views

app_name = "contracts"

P = "partnerships/<int:pk>/"
F = P + "obligations/fulfilments/<int:fulfilment_pk>/"

urlpatterns = [
    path(P + "obligations/", views.panel, name="panel"),
    path(P + "documents/new/", views.document_create, name="document_create"),
    path(
        P + "documents/<int:document_pk>/versions/new/",
        views.version_create,
        name="version_create",
    ),
    path(P + "documents/versions/<int:version_pk>/", views.version_download, name="version_file"),
    path(P + "obligations/new/", views.obligation_create, name="obligation_create"),
    path(P + "obligations/<int:obligation_pk>/", views.obligation_edit, name="obligation_edit"),
    path(P + "obligations/<int:obligation_pk>/end/", views.obligation_end, name="obligation_end"),
    path(P + "obligations/<int:obligation_pk>/kept/", views.fulfil, name="fulfil"),
    path(F + "file/", views.fulfilment_file, name="fulfilment_file"),
    path(F + "reopen/", views.fulfilment_reopen, name="fulfilment_reopen"),
]
