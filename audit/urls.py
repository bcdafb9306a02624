from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.global_history, name="history"),
    path("partnership/<int:pk>/", views.partnership_history, name="partnership"),
    path("<str:model>/<int:object_pk>/", views.object_history, name="object"),
]
