from .navigation import nav_items
from .roles import is_executive, is_manager, role_label


def roles(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    executive = is_executive(user)
    return {
        "is_executive": executive,
        "is_manager": is_manager(user),
        "role_label": role_label(user),
        "extra_nav": nav_items(executive=executive),
    }
