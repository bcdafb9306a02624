"""The three roles of DESIGN.md, held as Django groups."""

EXECUTIVE = "Executive"
PARTNER_MANAGER = "Partner manager"
VIEWER = "Viewer"
ALL_ROLES = (EXECUTIVE, PARTNER_MANAGER, VIEWER)
# A partner's contact signed in to the portal (portal/): never a role of the internal app.
PARTNER_USER = "Partner user"


def _group_names(user):
    # Cached on the user object so a page asks the database once.
    if not hasattr(user, "_concord_groups"):
        user._concord_groups = (
            frozenset(user.groups.values_list("name", flat=True))
            if user.is_authenticated
            else frozenset()
        )
    return user._concord_groups


def remember_groups(user, names):
    """Give ``user`` the names of its groups, read with it (``config.auth``): no query later."""
    user._concord_groups = frozenset(names)


def is_partner_user(user):
    return user.is_authenticated and PARTNER_USER in _group_names(user)


def is_executive(user):
    return (
        user.is_authenticated
        and (user.is_superuser or EXECUTIVE in _group_names(user))
        and not is_partner_user(user)
    )


def is_manager(user):
    return (
        user.is_authenticated
        and PARTNER_MANAGER in _group_names(user)
        and not is_partner_user(user)
    )


def role_label(user):
    if is_partner_user(user):
        return PARTNER_USER
    if is_executive(user):
        return EXECUTIVE
    if is_manager(user):
        return PARTNER_MANAGER
    return VIEWER
