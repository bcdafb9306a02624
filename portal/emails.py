"""The portal's emails. Every one leaves through the outbox, written in the transaction that
causes it (an invitation and its email exist together or not at all)."""

from django.template.loader import render_to_string

from outbox.services import enqueue_email


def send(*, to, subject, text, html="", key=None):
    return enqueue_email(to=to, subject=subject, text=text, html=html, key=key)


def send_invitation(invitation, *, url):
    context = {"invitation": invitation, "url": url, "partnership": invitation.partnership}
    send(
        to=invitation.email,
        subject=f"You are invited to the {invitation.partnership.title} portal",
        text=render_to_string("emails/portal/invitation.txt", context),
        html=render_to_string("emails/portal/invitation.html", context),
        key=f"portal-invitation-{invitation.pk}",
    )
