from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_form, name="create"),
    path("<int:webhook_pk>/", views.webhook_detail, name="detail"),
    path("<int:webhook_pk>/edit/", views.webhook_form, name="edit"),
    path("<int:webhook_pk>/rotate-secret/", views.webhook_rotate, name="rotate"),
    path("<int:webhook_pk>/test/", views.webhook_test, name="test"),
    path("<int:webhook_pk>/delete/", views.webhook_delete, name="delete"),
]
