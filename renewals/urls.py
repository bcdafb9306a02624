from django.urls import path

from . import views

app_name = "renewals"

P = "partnerships/<int:pk>/decision/"
urlpatterns = [
    path(P, views.pack_page, name="pack"),
    path(P + "pdf/", views.pack_pdf, name="pack_pdf"),
    path(P + "sections/<str:key>/", views.pack_section, name="pack_section"),
    path(P + "open/", views.pack_open, name="pack_open"),
    path(P + "recommend/", views.pack_recommend, name="pack_recommend"),
    path(P + "decide/", views.pack_decide, name="pack_decide"),
]
