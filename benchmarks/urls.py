from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def floor(request):
    """The cheapest real page: the base layout for a logged-in user, with no data."""
    return render(request, "base.html", {})


urlpatterns = [path("_bench/floor/", floor, name="bench_floor"), *app_urlpatterns]
