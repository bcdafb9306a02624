from django.contrib.auth.views import LoginView
from django.urls import reverse

from partnerships.redirects import safe_next
from partnerships.roles import is_partner_user
from signin import oidc
from signin.password import after_password


class PortalAwareLoginView(LoginView):
    """Django's sign-in; a partner user lands in the portal, whatever page asked for it. With
    an authenticator app set up, the code is asked for before signing in (signin/)."""

    def get_redirect_url(self, request=None):
        # Django's own check allows more than ours (partnerships/redirects.py).
        return safe_next(request or self.request, "")

    def get_success_url(self):
        return self._landing(self.request.user)

    def _landing(self, user):
        url = super().get_success_url()
        portal = reverse("portal:home")
        if is_partner_user(user) and not url.startswith(portal):
            return portal
        return url

    def form_valid(self, form):
        user = form.get_user()
        return after_password(
            self.request, user, redirect_url=self._landing(user)
        ) or super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if oidc.is_configured():
            context["sso_name"] = oidc.provider_name()
        return context
