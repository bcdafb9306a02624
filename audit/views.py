"""The history pages: a partnership's, an object's, and everything's (executives)."""

import csv

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from partnerships.access import get_partnership_for_user
from partnerships.htmx import fragment
from partnerships.ids import parse_id
from partnerships.roles import is_partner_user

from . import access, presenting, queries, registry
from .forms import HistoryFilterForm

PAGE_SIZE = 50
# A download holds at most this many rows (the newest): narrow the filters for older ones.
EXPORT_LIMIT = 20_000
EXPORT_CHUNK = 1000
HEADER = ["When", "Who", "Through", "Kind", "Object id", "Object", "Change", "What changed"]


def _history(request, *, title, subtitle, target=None, pk=None, base_url, back=None):
    labels = registry.scope(target) if target else registry.event_models().values()
    labels = [registry.followed_label(m._meta.label) for m in labels]
    filters = _filter_form(request, labels)
    events = queries.history(
        target=target, pk=pk, models=filters.models(), conditions=filters.conditions()
    )
    if request.GET.get("export") == "csv":
        return _csv(events, title)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = presenting.rows(page.object_list)
    context = {
        "title": title,
        "subtitle": subtitle,
        "filters": filters,
        "page": page,
        "more": events.more,
        "cap": queries.COUNT_CAP,
        "base_url": base_url,
        "back": back,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    return render(request, fragment(request, "audit/history.html", "results"), context)


def _filter_form(request, labels):
    return HistoryFilterForm(request.GET, labels=labels)


class _Echo:
    def write(self, value):
        return value


def _csv_lines(events):
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for start in range(0, EXPORT_LIMIT, EXPORT_CHUNK):
        chunk = presenting.rows(events[start : start + EXPORT_CHUNK])
        for row in chunk:
            actor = row.actor.get_full_name() or row.actor.username if row.actor else ""
            when = timezone.localtime(row.when).isoformat(timespec="seconds")
            yield writer.writerow(
                [
                    when,
                    actor,
                    row.source,
                    row.kind,
                    row.object_id,
                    row.name,
                    row.action,
                    row.changes_text(),
                ]
            )
        if len(chunk) < EXPORT_CHUNK:
            return


def _csv(events, title):
    name = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="history-{name}.csv"'
    return response


def global_history(request):
    access.require_executive(request.user)
    return _history(
        request,
        title="History",
        subtitle="Every change to the partnerships and everything around them.",
        base_url=reverse("audit:history"),
    )


def partnership_history(request, pk):
    if is_partner_user(request.user):
        raise Http404("No such history.")
    partnership = get_partnership_for_user(request.user, pk)
    return _history(
        request,
        title=f"History of {partnership.title}",
        subtitle="Every change to this partnership and to what belongs to it.",
        target=access.PARTNERSHIP,
        pk=partnership.pk,
        base_url=reverse("audit:partnership", args=[partnership.pk]),
        back=(partnership.get_absolute_url(), partnership.title),
    )


def object_history(request, model, object_pk):
    label = registry.object_label(model)
    if label is None or not hasattr(registry.event_models()[label], "pgh_obj"):
        raise Http404("No such history.")
    if parse_id(object_pk) is None:  # beyond the column: it goes into the SQL as a number
        raise Http404("No such history.")
    partnership = access.check_object(request.user, label, object_pk)
    if partnership is None and label == access.PARTNERSHIP:
        raise Http404("No such history.")
    verbose = registry.followed_model(label)._meta.verbose_name
    back = (partnership.get_absolute_url(), partnership.title) if partnership else None
    return _history(
        request,
        title=f"History of {verbose} #{object_pk}",
        subtitle=f"Every change to this {verbose} and to what belongs to it.",
        target=label,
        pk=object_pk,
        base_url=reverse("audit:object", args=[model, object_pk]),
        back=back,
    )
