"""Tiny builders for test data; keyword arguments override the defaults."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from partnerships.models import Objective, Partner, Partnership, StrategicGoal

_seq = itertools.count(1)


def make_user(username=None, role=None, **fields):
    username = username or f"user{next(_seq)}"
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password="pw-for-tests-1", **fields
    )
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_partner(name=None, **fields):
    return Partner.objects.create(name=name or f"Partner {next(_seq)}", **fields)


def make_partnership(partner=None, **fields):
    fields.setdefault("title", f"Partnership {next(_seq)}")
    fields.setdefault("type", Partnership.Type.TECHNOLOGY)
    return Partnership.objects.create(partner=partner or make_partner(), **fields)


def make_goal(title=None, **fields):
    return StrategicGoal.objects.create(title=title or f"Goal {next(_seq)}", **fields)


def make_objective(partnership, goal=None, **fields):
    fields.setdefault("title", f"Objective {next(_seq)}")
    return Objective.objects.create(partnership=partnership, goal=goal or make_goal(), **fields)
