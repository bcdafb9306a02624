"""Error pages in the product's layout: the portal's for partner users and portal addresses,
the internal one for everyone else. The server error page is standalone: it must render with
the database down, so it reads nothing. A request that failed because the database cannot be
reached gets a 503 saying so, and that what the user sent was not kept."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from partnerships.roles import is_partner_user

PAGES = {
    400: (
        "That request could not be read",
        "Something in the address or the form was malformed. Go back and try again; if it "
        "happens again, start from the home page.",
    ),
    403: (
        "You do not have access to this page",
        "Your role does not let you open or change this. If you need it, ask the partnership's "
        "owner or an administrator to give you access.",
    ),
    404: (
        "Page not found",
        "Nothing is at this address. It may have been removed, or the link may be mistyped.",
    ),
}


def _in_portal(request):
    user = getattr(request, "user", None)
    return request.path_info.startswith("/portal/") or (user is not None and is_partner_user(user))


def error_page(request, status):
    heading, text = PAGES[status]
    portal = _in_portal(request)
    context = {
        "layout": "portal/base.html" if portal else "base.html",
        "home_url": "/portal/" if portal else "/",
        "status": status,
        "heading": heading,
        "text": text,
    }
    return render(request, "errors/page.html", context, status=status)


def bad_request(request, exception):
    return error_page(request, 400)


def permission_denied(request, exception):
    return error_page(request, 403)


def page_not_found(request, exception):
    return error_page(request, 404)


def database_down(error):
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    # A server that answered with an error code (a cancelled query, a lock timeout) is up.
    return getattr(error.__cause__, "sqlstate", None) is None


def server_error(request):
    if database_down(sys.exc_info()[1]):
        page = loader.get_template("errors/database_down.html").render()
        response = HttpResponse(page, status=503)
        response["Retry-After"] = "60"
        return response
    return defaults.server_error(request, template_name="500.html")
