from django.urls import path

from . import views

app_name = "digests"
urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("follows/<int:pk>/", views.follow, name="follow"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.digest_detail, name="digest_detail"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
