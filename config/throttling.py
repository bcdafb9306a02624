"""The client address sign-in throttling counts attempts against."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def client_address(request):
    """REMOTE_ADDR, or behind a trusted proxy (TRUSTED_PROXY=1) the last address of
    X-Forwarded-For: the one the proxy itself appended, which a client cannot forge."""
    if settings.TRUSTED_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, saying why the right password is refused for now (429)."""
    from django.contrib.auth.forms import AuthenticationForm
    from django.shortcuts import render

    from partnerships.redirects import safe_next
    from signin import oidc

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": safe_next(request, ""),
        "sso_name": oidc.provider_name() if oidc.is_configured() else "",
    }
    return render(request, "registration/login.html", context, status=429)


class ThrottlingBackend(AxesStandaloneBackend):
    """django-axes' check, first of the backends. A sign-in with no request behind it (the
    test client's ``login``, a management command) has no address to count and cannot come
    from outside: it is left to the next backend instead of being an error."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
