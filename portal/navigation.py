"""The portal's own menu: (label, URL name). A new portal page adds its line here."""

PORTAL_NAV = [
    ("Partnerships", "portal:home"),
    ("Enter values", "portal:entry"),
    ("Submissions", "portal:submissions"),
    ("Actions", "portal:actions"),
]


def portal_context(request, profile, **extra):
    """What every portal page's layout reads: the partner's name and the menu."""
    from django.urls import reverse

    nav = [{"label": label, "url": reverse(name)} for label, name in PORTAL_NAV]
    return {"profile": profile, "partner": profile.partner, "portal_nav": nav, **extra}
