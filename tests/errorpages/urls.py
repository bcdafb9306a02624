"""The app's URLs plus one that fails, to show the server error page."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("A view that fails, for the server error page.")


urlpatterns = [path("_broken/", broken), *urlpatterns]
