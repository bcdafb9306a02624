"""How a signed-in user is loaded on each request."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connections, router
from django.db.models import OuterRef, StringAgg, Subquery, Value

from partnerships.roles import remember_groups

# Group names are free text; this separator cannot be typed into a name field.
_SEPARATOR = "\x1f"


class UserBackend(ModelBackend):
    """Django's model backend, reading with the user what nearly every page asks next: the
    groups that give the user a role (partnerships.roles) and the digest preferences (the
    digest pages and the last-seen middleware). One query instead of three."""

    def get_user(self, user_id):
        user = user_with_roles(user_id)
        if user is None:
            return None
        remember_groups(user, filter(None, (user.role_group_names or "").split(_SEPARATOR)))
        return user if self.user_can_authenticate(user) else None


def user_with_roles(user_id):
    """The user ``user_id`` (or None), with ``role_group_names`` (their groups' names joined by
    ``_SEPARATOR``, None for none) and their digest preference read along (known missing when
    there is none), as ``user_with_roles_reference`` reads them.

    Every request loads its user: the ORM built and compiled the same statement each time,
    ~1.9 ms of a request's CPU on the benchmark machine. Here the statement is written once
    per process, from the models' own metadata, and the rows become instances the way the
    ORM's ``select_related`` makes them."""
    User = get_user_model()
    statement = _user_statement(router.db_for_read(User))
    with connections[statement.using].cursor() as cursor:
        cursor.execute(statement.sql, [_SEPARATOR, User._meta.pk.get_prep_value(user_id)])
        row = cursor.fetchone()
    return None if row is None else statement.instances(row)


def user_with_roles_reference(user_id):
    """``user_with_roles`` through the ORM: the plain reference its tests compare with."""
    User = get_user_model()
    names = (
        Group.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(names=StringAgg("name", Value(_SEPARATOR)))
        .values("names")
    )
    try:
        return (
            User._default_manager.select_related("digest_preference")
            .annotate(role_group_names=Subquery(names))
            .get(pk=user_id)
        )
    except User.DoesNotExist:
        return None


class _UserStatement:
    def __init__(self, using):
        User = get_user_model()
        quote = connections[using].ops.quote_name
        groups = User._meta.get_field("groups")
        through = groups.remote_field.through._meta
        in_group = through.get_field(groups.m2m_field_name()).column
        group = through.get_field(groups.m2m_reverse_field_name()).column
        self.preference = User._meta.get_field("digest_preference")  # the reverse one-to-one
        Preference = self.preference.related_model
        self.using, self.User, self.Preference = using, User, Preference
        self.user_fields = [f.attname for f in User._meta.concrete_fields]
        self.preference_fields = [f.attname for f in Preference._meta.concrete_fields]
        self.preference_pk = self.preference_fields.index(Preference._meta.pk.attname)
        columns = [f"u.{quote(f.column)}" for f in User._meta.concrete_fields]
        columns += [f"p.{quote(f.column)}" for f in Preference._meta.concrete_fields]
        user_pk, group_pk = quote(User._meta.pk.column), quote(Group._meta.pk.column)
        group_name = quote(Group._meta.get_field("name").column)
        self.sql = (
            f"SELECT {', '.join(columns)}, "
            f"(SELECT string_agg(g.{group_name}, %s) FROM {quote(Group._meta.db_table)} g "
            f"JOIN {quote(through.db_table)} ug ON ug.{quote(group)} = g.{group_pk} "
            f"WHERE ug.{quote(in_group)} = u.{user_pk}) "
            f"FROM {quote(User._meta.db_table)} u "
            f"LEFT JOIN {quote(Preference._meta.db_table)} p "
            f"ON p.{quote(self.preference.field.column)} = u.{user_pk} "
            f"WHERE u.{user_pk} = %s"
        )

    def instances(self, row):
        n, m = len(self.user_fields), len(self.preference_fields)
        user = self.User.from_db(self.using, self.user_fields, row[:n])
        user.role_group_names = row[n + m]
        preference = None
        values = row[n : n + m]
        if values[self.preference_pk] is not None:
            preference = self.Preference.from_db(self.using, self.preference_fields, values)
            self.preference.field.set_cached_value(preference, user)
        # As select_related leaves it: the preference, or None (a known missing one).
        self.preference.set_cached_value(user, preference)
        return user


@functools.cache
def _user_statement(using):
    return _UserStatement(using)
