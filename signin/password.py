"""What follows a right password on Concord's sign-in page: the second factor, when set up."""

# allauth keeps no public name for these; they are what its own password login calls.
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled


def after_password(request, user, *, redirect_url):
    """None when the user has no authenticator (Django signs them in as before); otherwise
    allauth's login steps, which ask for the code before signing in."""
    # The password was just typed: setting up MFA in the next minutes (allauth's
    # ACCOUNT_REAUTHENTICATION_TIMEOUT) does not ask for it again.
    record_authentication(
        request, user, "password", username=user.get_username(), reauthenticated=True
    )
    if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        return None
    return perform_login(request, user, redirect_url=redirect_url)
