"""The due-diligence questionnaire: checklist items marked "answered by the partner".

The partner answers in words and with files (the item's evidence, under the same limits and
content checks as ours); our reviewer still decides passed, failed or waived. Each item says
whom it waits on."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from governance import services as governance
from governance.models import CONCLUDED, ChecklistItem, Evidence, ItemStatus
from governance.uploads import validate_evidence_file

from . import access
from .models import QuestionnaireAnswer

ANSWER_MAX = 5000
PARTNER, US, DECIDED = "partner", "us", "decided"


def items(partnership_ids, partner_id):
    """The questionnaire's items, each with the partner's answer and only their own files."""
    return (
        ChecklistItem.objects.filter(
            checklist__partnership_id__in=partnership_ids, answered_by_partner=True
        )
        .select_related("checklist", "partner_answer")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(uploaded_by__partner_profile__partner=partner_id),
                to_attr="partner_files",
            )
        )
        .order_by("checklist__partnership_id", "section", "order", "pk")
    )


def answer_of(item):
    try:
        return item.partner_answer
    except QuestionnaireAnswer.DoesNotExist:
        return None


def waiting_on(item):
    if item.status in CONCLUDED:
        return DECIDED
    return US if answer_of(item) is not None else PARTNER


def progress(rows):
    counts = {PARTNER: 0, US: 0, DECIDED: 0}
    for item in rows:
        item.waiting_on = waiting_on(item)
        item.answer = answer_of(item)
        counts[item.waiting_on] += 1
    return counts


def get_item(request, pk):
    profile = access.require_partner_user(request)
    item = (
        items(access.partnerships_for(profile).values("pk"), profile.partner_id)
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("No such question.")
    return item


def answer(*, item, text, upload=None, by):
    """Record the partner's answer (and a file). Raises ValidationError with what to fix."""
    text = (text or "").strip()
    if item.status in CONCLUDED:
        raise PermissionDenied("Our reviewer has decided this item; it can no longer change.")
    errors = {}
    if not text and answer_of(item) is None:
        errors["answer"] = "Write an answer before sending it."
    elif len(text) > ANSWER_MAX:
        errors["answer"] = f"Keep the answer under {ANSWER_MAX} characters ({len(text)} now)."
    if upload is not None:
        try:
            validate_evidence_file(upload)
        except ValidationError as error:
            errors["file"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if text:
            QuestionnaireAnswer.objects.update_or_create(
                item=item,
                defaults={"answer": text, "answered_by": by, "answered_at": timezone.now()},
            )
        if upload is not None:
            governance.evidence_add(item=item, file=upload, by=by)
        ChecklistItem.objects.filter(pk=item.pk, status=ItemStatus.NOT_STARTED).update(
            status=ItemStatus.IN_PROGRESS
        )
