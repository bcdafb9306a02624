"""Where a page may send someone back to: the one check every ``next=`` goes through."""

import re

from django.utils.http import url_has_allowed_host_and_scheme

# Control characters never appear in a link a page wrote; in a Location header they are an
# error (NUL) or a header injection (CR, LF).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_safe_next(url, request):
    """True when ``url`` is a path on this site: no other host, scheme or control character."""
    return bool(
        url
        and isinstance(url, str)
        and url.startswith("/")
        and not _CONTROL.search(url)
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


def safe_next(request, default):
    """The ``next`` of the form (or the query string) when it is safe, else ``default``."""
    url = request.POST.get("next") or request.GET.get("next")
    return url if is_safe_next(url, request) else default
