"""What each recipient of a batch follows, read for the whole batch at once, is what
``followed_facts`` reads for each alone: the same visibility, ended partnerships and explicit
follows and unfollows."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests.models import Follow
from digests.selectors import followed_facts, followed_facts_of
from partnerships.models import Stage
from partnerships.roles import EXECUTIVE, PARTNER_MANAGER, PARTNER_USER, VIEWER
from tests.factories import make_partnership, make_user

pytestmark = pytest.mark.django_db


def _varied_users():
    coo = make_user(role=EXECUTIVE)
    admin = make_user(is_superuser=True)
    owner = make_user(role=PARTNER_MANAGER)
    member = make_user(role=VIEWER)
    portal = make_user(role=PARTNER_USER)
    nobody = make_user()
    owned = [make_partnership(owner=owner) for _ in range(3)]
    ended = make_partnership(owner=owner, stage=Stage.ENDED)
    ended_followed = make_partnership(owner=owner, stage=Stage.ENDED)
    elsewhere = make_partnership(owner=coo)
    for p in (owned[1], ended_followed, elsewhere):
        p.team.add(member)
    owned[2].team.add(portal)
    Follow.objects.create(user=owner, partnership=owned[0], following=False)
    Follow.objects.create(user=owner, partnership=ended_followed, following=True)
    Follow.objects.create(user=member, partnership=ended_followed, following=True)
    # A follow of a partnership the user may not see gives nothing.
    Follow.objects.create(user=member, partnership=owned[2], following=True)
    Follow.objects.create(user=coo, partnership=ended, following=True)
    Follow.objects.create(user=coo, partnership=elsewhere, following=False)
    Follow.objects.create(user=portal, partnership=owned[2], following=True)
    return [coo, admin, owner, member, portal, nobody]


def _fresh(users):
    return [get_user_model().objects.get(pk=user.pk) for user in users]


def test_a_batch_reads_what_each_user_alone_follows():
    users = _varied_users()
    alone = {user.pk: followed_facts(user) for user in _fresh(users)}
    together = followed_facts_of(_fresh(users))
    assert together == alone
    coo, admin, owner, member, portal, nobody = users
    assert len(alone[coo.pk]) == 4 and len(alone[admin.pk]) == 4
    assert len(alone[owner.pk]) == 3 and len(alone[member.pk]) == 3
    assert alone[portal.pk] == [] and alone[nobody.pk] == []


def test_without_an_executive_only_the_partnerships_seen_are_read():
    users = _varied_users()[2:]
    alone = {user.pk: followed_facts(user) for user in _fresh(users)}
    assert followed_facts_of(_fresh(users)) == alone


def test_the_batch_reads_in_five_queries_whatever_its_size():
    users = _fresh(_varied_users())
    with CaptureQueriesContext(connection) as queries:
        followed_facts_of(users)
    assert len(queries) == 5
    # The users' groups come with it: asking their role later reads nothing.
    with CaptureQueriesContext(connection) as later:
        followed_facts(users[2])
    assert len(later) == 1
