"""What every section may say about a partnership (title, stage, partner, owner), read once per
digest: the build reads them with the list of followed partnerships, in the same query, and
sections take them from here instead of each joining or reading the partnerships again."""

from typing import NamedTuple

from partnerships.models import Partnership

from .sections import build_memo, ids_param

_KEY = ("digests.partnership_facts",)
_COLUMNS = (
    "pk",
    "title",
    "stage",
    "partner__name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


class PartnershipFacts(NamedTuple):
    pk: int
    title: str
    stage: str
    partner: str
    owner: str  # the owner's full name, else username; "—" when there is none


def read_facts(queryset):
    """[PartnershipFacts] of a Partnership queryset, in its order (one query)."""
    out = []
    for pk, title, stage, partner, first, last, username in queryset.values_list(*_COLUMNS):
        owner = (f"{first} {last}".strip() or username) if username else "—"
        out.append(PartnershipFacts(pk, title, stage, partner, owner))
    return out


def remember(facts):
    """Keep facts already read for the rest of this digest build."""
    store = build_memo()
    if store is not None:
        store.setdefault(_KEY, {}).update((f.pk, f) for f in facts)


def partnership_facts(partnership_ids):
    """{pk: PartnershipFacts} for these partnerships, reading only those this build has not
    (none, for the followed ones). Ids of partnerships that do not exist are left out."""
    store = build_memo()
    known = store.setdefault(_KEY, {}) if store is not None else {}
    missing = [pk for pk in partnership_ids if pk not in known]
    if missing:
        read = read_facts(Partnership.objects.filter(pk__in=ids_param(missing)))
        known.update((f.pk, f) for f in read)
    return {pk: known[pk] for pk in partnership_ids if pk in known}
