"""Writes with a business rule (keyword-only, ``<entity>_<action>``), each in one transaction.

Files are checked exactly as due-diligence evidence is (``governance.uploads``): the same types,
size limit and look at the first bytes.
"""

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from governance.uploads import validate_evidence_file

from .models import Document, DocumentVersion, Fulfilment, Obligation, ObligationChange
from .occurrences import company_today, due_dates


def _amendment_of(agreement, amendment):
    if amendment is not None and amendment.agreement_id != agreement.pk:
        raise ValidationError({"amendment": "That amendment is of another agreement."})
    return amendment


# Documents ------------------------------------------------------------------------------------


def document_add(*, agreement, title, kind, file, by, amendment=None, note=""):
    """A new document of the agreement, with ``file`` as its first version."""
    validate_evidence_file(file)
    _amendment_of(agreement, amendment)
    with transaction.atomic():
        document = Document.objects.create(
            agreement=agreement, title=title.strip(), kind=kind, amendment=amendment
        )
        document_version_add(document=document, file=file, by=by, note=note)
    return document


def document_version_add(*, document, file, by, note=""):
    """``file`` as the document's next version; the earlier versions stay as they were."""
    validate_evidence_file(file)
    with transaction.atomic():
        # The document row is locked so two uploads at once cannot take the same number.
        Document.objects.select_for_update().get(pk=document.pk)
        last = document.versions.aggregate(n=Max("number"))["n"] or 0
        return DocumentVersion.objects.create(
            document=document,
            number=last + 1,
            file=file,
            original_name=os.path.basename(file.name)[:255],
            size=file.size,
            note=note.strip()[:255],
            uploaded_by=by,
        )


# Obligations ----------------------------------------------------------------------------------


def _record(obligation, kind, *, before, by, amendment, note):
    ObligationChange.objects.create(
        obligation=obligation,
        partnership_id=obligation.partnership_id,
        kind=kind,
        amendment=amendment,
        before=before,
        after=obligation.snapshot(),
        note=note.strip(),
        changed_by=by,
    )


def obligation_add(*, agreement, by, amendment=None, note="", **fields):
    """A new obligation under ``agreement`` (``fields`` are the model's), with its history."""
    _amendment_of(agreement, amendment)
    obligation = Obligation(agreement=agreement, partnership_id=agreement.partnership_id, **fields)
    obligation.full_clean()
    with transaction.atomic():
        obligation.save()
        _record(
            obligation,
            ObligationChange.Kind.ADDED,
            before={},
            by=by,
            amendment=amendment,
            note=note,
        )
    return obligation


def obligation_change(*, obligation, by, amendment=None, note="", **fields):
    """New terms for an obligation; the previous ones stay in its history."""
    _amendment_of(obligation.agreement, amendment)
    with transaction.atomic():
        locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
        before = locked.snapshot()
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        if locked.snapshot() == before:
            raise ValidationError("These are the obligation's terms already; nothing changed.")
        locked.save()
        _record(
            locked,
            ObligationChange.Kind.CHANGED,
            before=before,
            by=by,
            amendment=amendment,
            note=note,
        )
    return locked


def obligation_end(*, obligation, by, ends_on=None, amendment=None, note=""):
    """The obligation stops: nothing falls due after ``ends_on`` (today by default)."""
    if not note.strip() and amendment is None:
        raise ValidationError({"note": "Say why the obligation ends, or name the amendment."})
    _amendment_of(obligation.agreement, amendment)
    ends_on = ends_on or company_today()
    with transaction.atomic():
        locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if locked.status == Obligation.Status.ENDED:
            raise ValidationError("This obligation has ended already.")
        before = locked.snapshot()
        locked.status = Obligation.Status.ENDED
        # Never before the first due date (a constraint); an ended one owes nothing more anyway.
        locked.ends_on = max(ends_on, locked.first_due)
        locked.full_clean()
        locked.save()
        _record(
            locked,
            ObligationChange.Kind.ENDED,
            before=before,
            by=by,
            amendment=amendment,
            note=note,
        )
    return locked


# Occurrences ----------------------------------------------------------------------------------


def _is_occurrence(obligation, due_date):
    dates = due_dates(
        obligation.first_due, obligation.recurrence, until=due_date, ends_on=obligation.ends_on
    )
    return bool(dates) and dates[-1] == due_date


def occurrence_fulfil(*, obligation, due_date, by, fulfilled_on=None, note="", file=None):
    """Record the occurrence due on ``due_date`` as kept. Recording it twice is refused."""
    if not _is_occurrence(obligation, due_date):
        raise ValidationError({"due_date": "The obligation is not due on that date."})
    if file:
        validate_evidence_file(file)
    fulfilled_on = fulfilled_on or company_today()
    if fulfilled_on > company_today():
        raise ValidationError({"fulfilled_on": "An obligation cannot be kept in the future."})
    with transaction.atomic():
        Obligation.objects.select_for_update().get(pk=obligation.pk)
        if Fulfilment.objects.filter(obligation=obligation, due_date=due_date).exists():
            raise ValidationError({"due_date": "That occurrence is recorded as kept already."})
        return Fulfilment.objects.create(
            obligation=obligation,
            due_date=due_date,
            fulfilled_on=fulfilled_on,
            note=note.strip(),
            file=file or "",
            original_name=os.path.basename(file.name)[:255] if file else "",
            recorded_by=by,
            recorded_at=timezone.now(),
        )


def occurrence_reopen(*, fulfilment):
    """Undo a fulfilment recorded by mistake: the occurrence is open again."""
    with transaction.atomic():
        fulfilment.delete()
    if fulfilment.file:
        transaction.on_commit(lambda: fulfilment.file.delete(save=False))
