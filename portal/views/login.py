from django.contrib.auth.views import LoginView
from django.urls import reverse

from partnerships.redirects import safe_next
from partnerships.roles import is_partner_user


class PortalAwareLoginView(LoginView):
    """Django's sign-in; a partner user lands in the portal, whatever page asked for it."""

    def get_redirect_url(self, request=None):
        # Django's own check allows more than ours (partnerships/redirects.py).
        return safe_next(request or self.request, "")

    def get_success_url(self):
        url = super().get_success_url()
        portal = reverse("portal:home")
        if is_partner_user(self.request.user) and not url.startswith(portal):
            return portal
        return url
