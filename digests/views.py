from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from partnerships import pagecache
from partnerships.access import get_partnership_for_user
from partnerships.htmx import fragment
from partnerships.models import Partnership
from partnerships.redirects import safe_next

from . import services
from .building import (
    build_digest,
    digest_context,
    schedule_words,
    subject_line,
    user_from_unsubscribe_token,
)
from .forms import PreferenceForm
from .models import DeliveryStatus, Digest
from .schedule import parse_iso_week
from .selectors import (
    follow_rows,
    followed_partnerships,
    preference_for,
)
from .windows import digest_schedule

PAGE_SIZE = 25
FOLLOW_ACTIONS = {"follow": True, "unfollow": False, "default": None}


def preferences(request):
    user = request.user
    preference = preference_for(user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_save(user=user, **form.cleaned_data)
        messages.success(request, "Digest preferences saved.")
        return redirect("digests:preferences")
    q = request.GET.get("q", "").strip()
    visible = Partnership.objects.visible_to(user).select_related("partner").order_by("title", "pk")
    if q:
        visible = visible.filter(Q(title__icontains=q) | Q(partner__name__icontains=q))
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "preference": preference,
        "page": page,
        "rows": follow_rows(user, page.object_list),
        "q": q,
        "followed_count": followed_partnerships(user).count(),
        "next": digest_schedule(user) if preference.enabled else None,
        "recent": user.digests.filter(status=DeliveryStatus.SENT)[:6],
        "next_url": request.get_full_path(),
    }
    status = 422 if request.method == "POST" else 200
    template = fragment(request, "digests/preferences.html", "follows")
    return render(request, template, context, status=status)


@require_POST
def follow(request, pk):
    partnership = get_partnership_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action not in FOLLOW_ACTIONS:
        return HttpResponse("Unknown action.", status=400)
    following = FOLLOW_ACTIONS[action]
    services.follow_set(user=request.user, partnership=partnership, following=following)
    if request.htmx:
        [(p, following, explicit)] = follow_rows(request.user, [partnership])
        context = {
            "p": p,
            "following": following,
            "explicit": explicit,
            "followed_count": followed_partnerships(request.user).count(),
            "oob": True,
            "next_url": _next(request),
        }
        return render(request, "digests/preferences.html#follow-row", context)
    verb = {"follow": "now follow", "unfollow": "no longer follow", "default": "reset"}[action]
    messages.success(request, f"You {verb} {partnership.title}.")
    return redirect(_next(request))


def _next(request):
    return safe_next(request, reverse("digests:preferences"))


def preview(request):
    user = request.user
    preference = preference_for(user)
    week = request.GET.get("week", "").strip()
    try:
        monday = parse_iso_week(week) if week else None
    except ValueError as error:
        context = {"error": str(error), "preference": preference}
        return render(request, "digests/preview.html", context, status=400)
    schedule = digest_schedule(user, monday=monday)
    if schedule is None:
        context = {"preference": preference, "week": week, "preview": True}
        return render(request, "digests/preview.html", context)
    head = {"preference": preference, "schedule": schedule, "preview": True}

    def digest():
        context = {**digest_context(build_digest(user, schedule)), **head}
        return {**context, "subject": subject_line(context)}

    # Built once per schedule, day and version of the data (pagecache): what a reload shows
    # is what a build would, as of the last commit.
    send = f"{schedule.week}:{schedule.scheduled_at.isoformat()}:{schedule.monthly}"
    html = pagecache.partial(
        request, "digests/preview.html#digest", digest, key=f"digest-preview:{send}"
    )
    context = {
        **head,
        **schedule_words(schedule),
        "digest": html,
    }
    return render(request, "digests/preview.html", context)


def digest_detail(request, pk):
    """ "View in browser": the digest exactly as it was sent, to its recipient only."""
    digest = get_object_or_404(Digest, pk=pk, user=request.user)
    if digest.status != DeliveryStatus.SENT or not digest.html_body:
        raise Http404("This digest has not been sent.")
    return HttpResponse(digest.html_body)


@login_not_required
@csrf_exempt  # one-click unsubscribes from mail clients carry no CSRF token; the signature does
def unsubscribe(request, token):
    user_id = user_from_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return render(request, "digests/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        services.preference_unsubscribe(user=user)
    context = {"done": done, "email": user.email, "token": token}
    return render(request, "digests/unsubscribe.html", context)
