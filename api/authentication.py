"""Who calls the API: a bearer token, or the signed-in user of the browser (docs, schema)."""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from audit import context as audit_context
from config.auth import UserBackend

from . import tokens

KEYWORD = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``. A token that is unknown, expired or revoked, or whose
    user may no longer have one, is a 401: the caller learns nothing about which it was."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None  # not ours: the session may still authenticate the request
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Unknown, expired or revoked token.") from None
        token = tokens.token_for_secret(secret)
        if token is None:
            raise AuthenticationFailed("Unknown, expired or revoked token.")
        # The same loader as a session: the user's role is read with it, inactive users refused.
        user = UserBackend().get_user(token.user_id)
        if user is None or not tokens.may_have_tokens(user):
            raise AuthenticationFailed("Unknown, expired or revoked token.")
        # Who and through what, for the audit trail: the middleware ran before DRF knew the user.
        audit_context.set_actor(user, source=audit_context.API)
        return user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return 'Bearer realm="api"'
