"""Writes that carry a business rule (plain functions, keyword-only, ``<entity>_<action>``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Agreement, Amendment


def agreement_amend(*, agreement, changes, by, reason, effective_date=None):
    """Apply new terms to an agreement, keeping the previous terms in an Amendment.

    ``changes`` maps term names to new values. Nothing is written if the terms are invalid or
    nothing actually changed.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the terms are changing."})
    unknown = set(changes) - set(Agreement.TERM_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown terms: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        before = locked.terms()
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        after = locked.terms()
        if after == before:
            raise ValidationError("These are the terms already in force; nothing to amend.")
        locked.save()
        amendment = Amendment.objects.create(
            agreement=locked,
            effective_date=effective_date or timezone.localdate(),
            reason=reason.strip(),
            previous_terms=before,
            new_terms=after,
            changed_by=by,
        )
    return amendment
