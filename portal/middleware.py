from django.conf import settings
from django.http import Http404

from partnerships.roles import is_partner_user

# What a partner user may open outside the portal: signing in and out, and static files.
_OPEN_TO_PARTNERS = ("/portal/", "/accounts/login/", "/accounts/logout/", "/healthz")


class PartnerBoundaryMiddleware:
    """Partner users work in the portal only: every internal URL answers 404 for them, so
    the internal app never has to think about them (and never confirms what exists)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open = (*_OPEN_TO_PARTNERS, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and is_partner_user(user)
            and not request.path_info.startswith(self.open)
        ):
            raise Http404("No such page.")
        return self.get_response(request)
