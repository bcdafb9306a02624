"""Inviting a partner's contact, accepting, revoking, and deactivating a partner user."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partnerships.roles import PARTNER_USER

from . import emails
from .models import Invitation, PartnershipAccess, PartnerUser

SALT = "portal.invitation"


def lifetime():
    return timedelta(days=settings.PORTAL_INVITATION_DAYS)


def token_for(invitation):
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT)


def invitation_url(invitation):
    path = reverse("portal:accept", args=[token_for(invitation)])
    return f"{settings.SITE_URL}{path}"


def invitation_from_token(token, *, now=None):
    """The pending invitation a link stands for, or ValidationError saying why it does not."""
    try:
        data = signing.loads(token, salt=SALT, max_age=lifetime())
    except signing.SignatureExpired:
        raise ValidationError("This invitation has expired. Ask for a new one.") from None
    except signing.BadSignature:
        raise ValidationError("This invitation link is not valid.") from None
    invitation = (
        Invitation.objects.select_related("contact__partner", "partnership")
        .filter(pk=data.get("i"), nonce=data.get("n"))
        .first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    state = invitation.state(now)
    if state != "pending":
        raise ValidationError(
            {
                "accepted": "This invitation was already used. Sign in instead.",
                "revoked": "This invitation was withdrawn.",
                "expired": "This invitation has expired. Ask for a new one.",
            }[state]
        )
    return invitation


def invite(*, contact, partnership, by, now=None):
    """Invite ``contact`` to ``partnership`` (a contact already in the portal just gets access)."""
    now = now or timezone.now()
    if contact.partner_id != partnership.partner_id:
        raise ValidationError("This contact does not work for this partnership's partner.")
    if not contact.email:
        raise ValidationError(f"{contact.name} has no email address: add one first.")
    profile = PartnerUser.objects.active().filter(contact=contact).first()
    if profile is not None:
        grant(profile=profile, partnership=partnership, by=by, now=now)
        return None
    User = get_user_model()
    taken = User.objects.filter(username__iexact=contact.email)
    if taken.exclude(partner_profile__contact=contact).exists():
        raise ValidationError(f"{contact.email} is already someone else's sign-in name.")
    with transaction.atomic():
        Invitation.objects.filter(
            contact=contact, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_by=by)
        invitation = Invitation.objects.create(
            contact=contact,
            partnership=partnership,
            email=contact.email,
            invited_by=by,
            created_at=now,
            expires_at=now + lifetime(),
        )
        emails.send_invitation(invitation, url=invitation_url(invitation))
    return invitation


def revoke(*, invitation, by, now=None):
    return bool(
        Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now or timezone.now(), revoked_by=by)
    )


def accept(*, token, password, now=None):
    """Use the link once: the contact's user gets its password and the partnership's access."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = invitation_from_token(token, now=now)
        # Claim it: a second use of the same link (a double click, a replay) finds it taken.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=now)
        if not claimed:
            raise ValidationError("This invitation was already used. Sign in instead.")
        contact = invitation.contact
        User = get_user_model()
        profile = PartnerUser.objects.filter(contact=contact).select_related("user").first()
        if profile is None:
            first, _, last = contact.name.partition(" ")
            user = User.objects.create_user(
                username=invitation.email.lower(),
                email=invitation.email,
                first_name=first[:150],
                last_name=last[:150],
            )
            profile = PartnerUser.objects.create(
                user=user, contact=contact, partner_id=contact.partner_id, created_at=now
            )
        else:
            user = profile.user
            user.is_active = True
            PartnerUser.objects.filter(pk=profile.pk).update(
                deactivated_at=None, deactivated_by=None
            )
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get_or_create(name=PARTNER_USER)[0])
        grant(profile=profile, partnership=invitation.partnership, by=invitation.invited_by)
    return profile


def grant(*, profile, partnership, by, now=None):
    if partnership.partner_id != profile.partner_id:
        raise ValidationError("A partner user only works on partnerships with their partner.")
    PartnershipAccess.objects.get_or_create(
        partner_user=profile,
        partnership=partnership,
        defaults={"granted_by": by, "granted_at": now or timezone.now()},
    )


def deactivate(*, profile, by, now=None):
    """The contact left the partner: no more sign-in, pending invitations withdrawn."""
    now = now or timezone.now()
    with transaction.atomic():
        PartnerUser.objects.filter(pk=profile.pk).update(deactivated_at=now, deactivated_by=by)
        get_user_model().objects.filter(pk=profile.user_id).update(is_active=False)
        Invitation.objects.filter(
            contact_id=profile.contact_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_by=by)
