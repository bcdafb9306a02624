"""Which Concord user an SSO sign-in is: matched by an email the identity provider verified.

An email the provider did not verify never matches an account: anyone can type any address
into an identity provider's profile, and would otherwise sign in as its owner here."""

from django.contrib.auth import get_user_model

from partnerships.roles import is_partner_user


class Refused(Exception):
    """The sign-in is refused; the message says why, in words the person can act on."""


def verified_emails(sociallogin):
    return [a.email for a in sociallogin.email_addresses if a.verified and a.email]


def all_emails(sociallogin):
    return [a.email for a in sociallogin.email_addresses if a.email]


def _users_with(email):
    return list(get_user_model()._default_manager.filter(email__iexact=email))


def match_user(sociallogin, *, may_create):
    """The existing user this sign-in is, or None for a new user; raises Refused."""
    for email in verified_emails(sociallogin):
        users = _users_with(email)
        if len(users) > 1:
            raise Refused(
                f"More than one Concord account has the email address {email}, so single "
                "sign-on cannot tell which one is yours. Ask an administrator to fix it."
            )
        if users:
            return _usable(users[0])
    for email in all_emails(sociallogin):
        if _users_with(email):
            raise Refused(
                f"Your identity provider has not confirmed the email address {email}, which a "
                "Concord account already uses, so you cannot be signed in to that account. Sign "
                "in with your Concord password, or ask an administrator."
            )
    if not may_create:
        raise Refused(
            "No Concord account has your email address, and accounts are not created at sign-in "
            "here. Ask an administrator to create your account with the address your identity "
            "provider uses."
        )
    return None


def _usable(user):
    if is_partner_user(user):
        raise Refused("Partner accounts sign in with their Concord password, on this page.")
    return user
