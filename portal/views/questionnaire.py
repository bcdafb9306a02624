from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse

from governance.uploads import ALLOWED_LABEL, limit_label

from .. import access, questionnaire
from ..navigation import portal_context


def _page(request, partnership, *, failed=None, errors=None, status=200):
    profile = access.require_partner_user(request)
    rows = list(questionnaire.items([partnership.pk], profile.partner_id))
    counts = questionnaire.progress(rows)
    context = portal_context(
        request,
        profile,
        partnership=partnership,
        rows=rows,
        counts=counts,
        failed=failed,
        errors=errors or {},
        posted=request.POST.get("answer", "") if failed else "",
        allowed=ALLOWED_LABEL,
        limit=limit_label(),
    )
    return render(request, "portal/questionnaire.html", context, status=status)


def page(request, pk):
    return _page(request, access.get_partnership(request, pk))


def answer(request, item_pk):
    item = questionnaire.get_item(request, item_pk)
    access.require_post(request)
    partnership = item.checklist.partnership
    try:
        questionnaire.answer(
            item=item,
            text=request.POST.get("answer", ""),
            upload=request.FILES.get("file"),
            by=request.user,
        )
    except ValidationError as error:
        errors = getattr(error, "message_dict", {"answer": error.messages})
        return _page(request, partnership, failed=item.pk, errors=errors, status=400)
    messages.success(request, f"Answer sent: “{item.question}”. Our reviewer takes it from here.")
    return redirect(f"{reverse('portal:questionnaire', args=[partnership.pk])}#item-{item.pk}")


urlpatterns = [
    path("partnerships/<int:pk>/questionnaire/", page, name="questionnaire"),
    path("questionnaire/<int:item_pk>/answer/", answer, name="questionnaire_answer"),
]
