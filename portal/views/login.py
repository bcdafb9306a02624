from django.contrib.auth.views import LoginView
from django.urls import reverse

from partnerships.redirects import is_safe_next
from partnerships.roles import is_partner_user


class PortalAwareLoginView(LoginView):
    """Django's sign-in; a partner user lands in the portal, whatever page asked for it."""

    def get_redirect_url(self, request=None):
        request = request or self.request
        url = request.POST.get(self.redirect_field_name, request.GET.get(self.redirect_field_name))
        return url if is_safe_next(url, request) else ""

    def get_success_url(self):
        url = super().get_success_url()
        portal = reverse("portal:home")
        if is_partner_user(self.request.user) and not url.startswith(portal):
            return portal
        return url
