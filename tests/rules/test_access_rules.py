"""Who may see and change what (partnerships/access.py, partnerships/roles.py), role by role:
not visible is a 404 that does not confirm the record exists, visible but not changeable a 403."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnerships import access, roles
from partnerships.models import Partner, Partnership
from tests.factories import make_partner, make_partnership, make_user


@pytest.fixture
def people(db):
    return {
        "executive": make_user("exec", roles.EXECUTIVE),
        "superuser": make_user("root", is_superuser=True),
        "owner": make_user("owner", roles.PARTNER_MANAGER),
        "team_manager": make_user("teammate", roles.PARTNER_MANAGER),
        "other_manager": make_user("stranger", roles.PARTNER_MANAGER),
        "team_viewer": make_user("watcher", roles.VIEWER),
        "other_viewer": make_user("outsider", roles.VIEWER),
    }


@pytest.fixture
def deal(people):
    p = make_partnership(partner=make_partner("Northwind"), owner=people["owner"])
    p.team.add(people["team_manager"], people["team_viewer"])
    return p


EDITORS = {"executive", "superuser", "owner", "team_manager"}


@pytest.mark.parametrize(
    "who",
    [
        "executive",
        "superuser",
        "owner",
        "team_manager",
        "other_manager",
        "team_viewer",
        "other_viewer",
    ],
)
def test_who_may_edit_and_move_a_partnership(people, deal, who):
    user = people[who]
    assert access.can_edit_partnership(user, deal) is (who in EDITORS)
    assert access.can_move_stage(user, deal) is (who in EDITORS)


def test_a_viewer_who_owns_a_partnership_still_cannot_edit_it(people):
    p = make_partnership(owner=people["team_viewer"])
    assert access.can_edit_partnership(people["team_viewer"], p) is False


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("executive", True), ("superuser", True), ("owner", True), ("team_viewer", False)],
)
def test_who_may_create_partnerships_manage_partners_and_force(people, who, allowed):
    user = people[who]
    assert access.can_create_partnership(user) is allowed
    assert access.can_manage_partners(user) is allowed
    assert access.can_force_move(user) is (who in {"executive", "superuser"})


def test_anonymous_users_may_do_nothing(deal):
    anonymous = AnonymousUser()
    assert access.can_edit_partnership(anonymous, deal) is False
    assert access.can_move_stage(anonymous, deal) is False
    assert access.can_create_partnership(anonymous) is False
    assert access.can_manage_partners(anonymous) is False
    assert access.can_force_move(anonymous) is False
    assert roles.role_label(anonymous) == roles.VIEWER


def test_get_partnership_for_user_hides_what_the_user_cannot_see(people, deal):
    assert access.get_partnership_for_user(people["team_viewer"], deal.pk) == deal
    with pytest.raises(Http404) as hidden:
        access.get_partnership_for_user(people["other_viewer"], deal.pk)
    assert str(hidden.value) == "No such partnership."
    with pytest.raises(Http404):
        access.get_partnership_for_user(people["executive"], deal.pk + 1000)


def test_get_partnership_for_user_refuses_an_edit_it_shows(people, deal):
    with pytest.raises(PermissionDenied) as refused:
        access.get_partnership_for_user(people["team_viewer"], deal.pk, edit=True)
    assert str(refused.value) == "You can see this partnership but not change it."
    assert access.get_partnership_for_user(people["team_manager"], deal.pk, edit=True) == deal
    assert access.get_partnership_for_user(people["owner"], deal.pk, edit=True) == deal


def test_get_partnership_for_user_reads_from_the_given_queryset(people, deal):
    narrowed = Partnership.objects.exclude(pk=deal.pk)
    with pytest.raises(Http404):
        access.get_partnership_for_user(people["executive"], deal.pk, queryset=narrowed)
    loaded = access.get_partnership_for_user(
        people["executive"], deal.pk, queryset=Partnership.objects.select_related("partner")
    )
    assert loaded == deal


def test_managers_see_every_partner_viewers_only_those_of_their_partnerships(people, deal):
    lonely = make_partner("No partnership yet")
    second = make_partnership(partner=deal.partner, owner=people["owner"])
    second.team.add(people["team_viewer"])
    everyone = set(Partner.objects.all())
    assert lonely in everyone
    for who in ("executive", "owner", "other_manager"):
        assert set(access.partners_visible_to(people[who])) == everyone
    # Two visible partnerships with the same partner list it once.
    assert list(access.partners_visible_to(people["team_viewer"])) == [deal.partner]
    assert list(access.partners_visible_to(people["other_viewer"])) == []


def test_get_partner_for_user(people, deal):
    partner = deal.partner
    assert access.get_partner_for_user(people["team_viewer"], partner.pk) == partner
    with pytest.raises(Http404) as hidden:
        access.get_partner_for_user(people["other_viewer"], partner.pk)
    assert str(hidden.value) == "No such partner."
    with pytest.raises(PermissionDenied) as refused:
        access.get_partner_for_user(people["team_viewer"], partner.pk, edit=True)
    assert str(refused.value) == "You can see this partner but not change it."
    assert access.get_partner_for_user(people["other_manager"], partner.pk, edit=True) == partner


@pytest.mark.parametrize(
    ("who", "label"),
    [
        ("executive", roles.EXECUTIVE),
        ("superuser", roles.EXECUTIVE),
        ("owner", roles.PARTNER_MANAGER),
        ("team_viewer", roles.VIEWER),
    ],
)
def test_role_labels(people, who, label):
    assert roles.role_label(people[who]) == label


def test_role_names_users_see():
    assert roles.ALL_ROLES == ("Executive", "Partner manager", "Viewer")


def test_a_user_in_both_groups_is_an_executive_and_a_manager(db):
    both = make_user("both", roles.EXECUTIVE)
    both.groups.add(make_user("tmp", roles.PARTNER_MANAGER).groups.get())
    fresh = type(both).objects.get(pk=both.pk)
    assert roles.is_executive(fresh) and roles.is_manager(fresh)
    assert roles.role_label(fresh) == roles.EXECUTIVE


def test_group_names_are_read_once_per_user(people, django_assert_num_queries):
    user = type(people["owner"]).objects.get(pk=people["owner"].pk)
    with django_assert_num_queries(1):
        assert roles.is_manager(user)
        assert not roles.is_executive(user)
        assert roles.role_label(user) == roles.PARTNER_MANAGER


def test_remembered_groups_are_used_without_a_query(people, django_assert_num_queries):
    user = type(people["team_viewer"]).objects.get(pk=people["team_viewer"].pk)
    roles.remember_groups(user, [roles.EXECUTIVE])
    with django_assert_num_queries(0):
        assert roles.is_executive(user)
        assert not roles.is_manager(user)
    roles.remember_groups(user, (roles.PARTNER_MANAGER,))
    assert roles.is_manager(user) and not roles.is_executive(user)


def test_anonymous_users_have_no_groups_and_ask_nothing(django_assert_num_queries, db):
    anonymous = AnonymousUser()
    with django_assert_num_queries(0):
        assert roles._group_names(anonymous) == frozenset()
        assert not roles.is_executive(anonymous)
        assert not roles.is_manager(anonymous)


def test_group_names_are_the_users_groups(people):
    user = type(people["executive"]).objects.get(pk=people["executive"].pk)
    assert roles._group_names(user) == frozenset({roles.EXECUTIVE})
    assert roles._group_names(user) is roles._group_names(user)
