"""Error pages in the product's layout: the portal's for partner users and portal addresses,
the internal one for everyone else. The server error page is standalone: it must render with
the database down, so it reads nothing."""

from django.shortcuts import render
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


def server_error(request):
    return defaults.server_error(request, template_name="500.html")
