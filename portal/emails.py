"""The portal's emails. Every one leaves through ``send`` (one function, so that moving to the
outbox is one line)."""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def send(*, to, subject, text, html="", key=None):
    """Send after the transaction that caused the email commits (a page never fails because
    SMTP is down: the invitation stays pending and can be sent again)."""

    def deliver():
        try:
            send_mail(subject, text, None, [to], html_message=html or None)
        except Exception:
            log.exception("Could not send %s to %s", key or subject, to)

    transaction.on_commit(deliver)


def send_invitation(invitation, *, url):
    context = {"invitation": invitation, "url": url, "partnership": invitation.partnership}
    send(
        to=invitation.email,
        subject=f"You are invited to the {invitation.partnership.title} portal",
        text=render_to_string("emails/portal/invitation.txt", context),
        html=render_to_string("emails/portal/invitation.html", context),
        key=f"portal-invitation-{invitation.pk}",
    )
