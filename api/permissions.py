"""What a token may do: the scope a view asks for. Signed-in users (no token) act with the
rights of their role, as on the pages."""

from rest_framework.permissions import BasePermission

from .models import ApiToken, Scope
from .tokens import may_have_tokens


class TokenScopePermission(BasePermission):
    """Grants a view to a token holding ``view.required_scope`` (read when it names none).

    A view that writes measurements sets ``required_scope = Scope.WRITE_MEASUREMENTS``."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and may_have_tokens(user)):
            return False
        if not isinstance(request.auth, ApiToken):
            return True  # a session: no token, no scopes to check
        scope = getattr(view, "required_scope", Scope.READ)
        if request.auth.has_scope(scope):
            return True
        self.message = f"This token does not have the “{scope}” scope."
        return False
