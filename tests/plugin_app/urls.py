from django.http import HttpResponse
from django.urls import include, path
from django.utils.html import format_html

from config.urls import urlpatterns as concord
from partnerships.access import get_partnership_for_user


def notes(request, pk):
    partnership = get_partnership_for_user(request.user, pk)
    return HttpResponse(format_html('<div id="field-notes">Notes on {}</div>', partnership.title))


urlpatterns = [
    *concord,
    path("plugin/<int:pk>/notes/", include(([path("", notes, name="notes")], "plugin_app"))),
]
