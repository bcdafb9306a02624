"""Reads: preferences with their defaults, what a user follows, who gets reminders."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from partnerships.aggregates import ids_param
from partnerships.models import Partnership, Stage
from partnerships.roles import EXECUTIVE, is_executive, is_partner_user, remember_groups

from .facts import read_facts
from .models import DigestPreference, Follow


def preference_for(user):
    """The user's saved preferences, or unsaved defaults (no row is written by reading)."""
    try:
        return user.digest_preference
    except DigestPreference.DoesNotExist:
        return DigestPreference(user=user)


def last_active_on(user, preference):
    """The last day we know the user used the app (seen or logged in); the day they joined
    if they never have, so new users start on the weekly rhythm."""
    days = [preference.last_seen_on] if preference.last_seen_on else []
    if user.last_login:
        days.append(timezone.localdate(user.last_login))
    return max(days) if days else timezone.localdate(user.date_joined)


def default_followed_q():
    # Ended partnerships are not followed unless the user chose to follow one.
    return ~Q(stage=Stage.ENDED)


def followed_partnerships(user):
    """What the user follows: the partnerships they can see (executives: all; others: their
    teams'), except ended ones, adjusted by their explicit follows and unfollows."""
    choices = Follow.objects.filter(user=user)
    chosen_on = choices.filter(following=True).values("partnership_id")
    chosen_off = choices.filter(following=False).values("partnership_id")
    return Partnership.objects.visible_to(user).filter(
        (default_followed_q() & ~Q(pk__in=chosen_off)) | Q(pk__in=chosen_on)
    )


def followed_partnership_ids(user):
    return list(followed_partnerships(user).order_by("pk").values_list("pk", flat=True))


def followed_facts(user):
    """[PartnershipFacts] of what the user follows, in id order (one query)."""
    return read_facts(followed_partnerships(user).order_by("pk"))


def followed_facts_of(users):
    """{user pk: followed_facts(user)} for several users in five queries whatever their number,
    as a batch of digests reads them (``followed_facts`` reads one user's in three: their
    groups, then the partnerships). The same rules: what each may see, except ended ones,
    adjusted by their own follows and unfollows. Gives each user object its groups."""
    users = list(users)
    pks = [user.pk for user in users]
    groups, visible, chosen = defaultdict(set), defaultdict(set), defaultdict(dict)
    through = get_user_model().groups.through.objects.filter(user_id__in=pks)
    for user_pk, name in through.values_list("user_id", "group__name"):
        groups[user_pk].add(name)
    for user in users:
        remember_groups(user, groups[user.pk])
    owned = Partnership.objects.filter(owner_id__in=pks).values_list("owner_id", "pk")
    teams = Partnership.team.through.objects.filter(user_id__in=pks)
    for user_pk, pk in [*owned, *teams.values_list("user_id", "partnership_id")]:
        visible[user_pk].add(pk)
    for user_pk, pk, following in Follow.objects.filter(user_id__in=pks).values_list(
        "user_id", "partnership_id", "following"
    ):
        chosen[user_pk][pk] = following
    sees_all = {user.pk for user in users if is_executive(user)}
    candidates = Partnership.objects.order_by("pk")
    if not sees_all:
        candidates = candidates.filter(pk__in=ids_param(set().union(*visible.values())))
    facts = read_facts(candidates)
    out = {}
    for user in users:
        if is_partner_user(user):
            out[user.pk] = []
            continue
        mine, seen, everything = chosen[user.pk], visible[user.pk], user.pk in sees_all
        out[user.pk] = [
            f
            for f in facts
            if (everything or f.pk in seen) and mine.get(f.pk, f.stage != Stage.ENDED)
        ]
    return out


def follow_rows(user, partnerships):
    """[(partnership, following, explicit)] for the preferences page, one query for choices."""
    partnerships = list(partnerships)
    choices = dict(
        Follow.objects.filter(user=user, partnership__in=partnerships).values_list(
            "partnership_id", "following"
        )
    )
    rows = []
    for p in partnerships:
        explicit = p.pk in choices
        following = choices[p.pk] if explicit else p.stage != Stage.ENDED
        rows.append((p, following, explicit))
    return rows


def digest_candidates():
    """Users who could get a digest: active, with an email address. Preferences joined in."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .select_related("digest_preference")
        .order_by("pk")
    )


def executives():
    return list(
        get_user_model()
        .objects.filter(Q(groups__name=EXECUTIVE) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .select_related("digest_preference")
        .distinct()
        .order_by("pk")
    )
