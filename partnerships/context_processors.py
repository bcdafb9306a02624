from .navigation import nav_items
from .roles import is_executive, is_manager, role_label


def roles(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    role = role_label(user)
    return {
        "is_executive": is_executive(user),
        "is_manager": is_manager(user),
        "role_label": role,
        "extra_nav": nav_items(role=role),
    }
