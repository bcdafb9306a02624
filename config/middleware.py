"""Request hygiene every page shares: input no form accepts, idle sessions, no-store."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectNulBytesMiddleware:
    """A NUL character is in no name, number or note a person types, and PostgreSQL refuses it
    in text: a query string or form carrying one is answered 400 here, before any view could
    hand it to the database. Goes before the CSRF check (which reads the form anyway)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        form = request.method == "POST" and request.content_type in FORM_TYPES
        if "%00" in request.META.get("QUERY_STRING", "") or (form and _nul_in_form(request)):
            return HttpResponseBadRequest(
                "The request contains a NUL character (%00), which no page of Concord accepts.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _nul_in_form(request):
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.POST.lists()
    )


def idle_seconds():
    return settings.SESSION_IDLE_MINUTES * 60


LAST_ACTIVE = "_concord_last_active"


class IdleSessionMiddleware:
    """Signs out a session unused for SESSION_IDLE_MINUTES.

    The session's expiry (SESSION_COOKIE_AGE, the same length) moves on only when the session is
    saved, so a signed-in user's session is touched once a minute at most: enough to keep an
    active user signed in, without a write on every page. Goes after AuthenticationMiddleware
    and before LoginRequiredMiddleware, which then sends the signed-out user to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVE)
            if isinstance(last, int | float) and now - last > idle_seconds():
                logout(request)
            elif not isinstance(last, int | float) or now - last >= min(60, idle_seconds() / 10):
                request.session[LAST_ACTIVE] = now
        return self.get_response(request)


def mark_active_at_login(sender, request, user, **kwargs):
    """Signing in is activity; recording it here keeps the first page after it light."""
    if hasattr(request, "session"):
        request.session[LAST_ACTIVE] = time.time()


class NoStoreMiddleware:
    """What a signed-in user sees (pages, fragments, exports, downloads) is never kept by a
    browser or a shared proxy: ``Cache-Control: no-store``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
