from django.shortcuts import render
from django.urls import path

from partnerships.models import Objective

from .. import access, agreements
from ..navigation import portal_context
from ..scorecard import scorecard


def home(request):
    profile = access.require_partner_user(request)
    partnerships = list(access.partnerships_for(profile).select_related("owner").order_by("title"))
    return render(
        request, "portal/home.html", portal_context(request, profile, partnerships=partnerships)
    )


def partnership(request, pk):
    profile = access.require_partner_user(request)
    partnership = access.get_partnership(request, pk)
    cards, trends, counts = scorecard(partnership)
    objectives = agreements.states(
        Objective.objects.filter(partnership=partnership).select_related("goal")
    )
    context = portal_context(
        request,
        profile,
        partnership=partnership,
        cards=cards,
        trends=trends,
        counts=counts,
        objectives=objectives,
        unagreed=sum(not s.agreed for s in objectives),
        kpi_links_off=True,
    )
    return render(request, "portal/partnership.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("partnerships/<int:pk>/", partnership, name="partnership"),
]
