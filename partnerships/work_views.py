""" "My work": every open item due from the signed-in user, across partnerships, with filters,
and "Done" (undoable) in place."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import work
from .htmx import wants_fragment

PAGE_SIZE = 25


class WorkFilterForm(forms.Form):
    due = forms.ChoiceField(choices=list(work.DUE.items()), required=False, label="Due")
    kind = forms.ChoiceField(required=False, label="What")
    partnership = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Partnership"
    )

    def __init__(self, *args, kinds, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Everything"), *kinds]
        self.fields["partnership"].choices = [("", "Every partnership"), *partnerships]


def my_work(request):
    today = timezone.localdate()
    every = work.items_for(request.user, today)
    kinds = [(key, source.label) for key, source in work.sources().items()]
    partnerships = sorted(
        {(i.partnership_id, i.partnership_title) for i in every}, key=lambda p: p[1]
    )
    form = WorkFilterForm(request.GET or None, kinds=kinds, partnerships=partnerships)
    filters = form.cleaned_data if form.is_valid() else {}
    items = work.narrowed(
        every,
        today,
        kind=filters.get("kind") or "",
        partnership_id=filters.get("partnership"),
        due=filters.get("due") or "all",
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "today": today,
        "counts": work.counts(every, today),
        "completable": {k for k, s in work.sources().items() if s.complete},
        "filtered": any(v for k, v in filters.items() if v and v != "all"),
    }
    template = "partnerships/my_work.html"
    if wants_fragment(request):
        template += "#results"
    return render(request, template, context)


@require_POST
def my_work_change(request, kind, pk, action):
    today = timezone.localdate()
    item = work.change(request.user, kind, pk, done=action == "done")
    if item is None:
        raise Http404("No such item of yours.")
    context = {
        "item": item,
        "today": today,
        "completable": {k for k, s in work.sources().items() if s.complete},
        # Every count on the page follows, swapped out of band.
        "counts": work.counts(work.items_for(request.user, today), today),
        "oob": True,
    }
    return render(request, "partnerships/my_work.html#row", context)
