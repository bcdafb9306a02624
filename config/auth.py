"""How a signed-in user is loaded on each request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import OuterRef, StringAgg, Subquery, Value

from partnerships.roles import remember_groups

# Group names are free text; this separator cannot be typed into a name field.
_SEPARATOR = "\x1f"


class UserBackend(ModelBackend):
    """Django's model backend, reading with the user what nearly every page asks next: the
    groups that give the user a role (partnerships.roles) and the digest preferences (the
    digest pages and the last-seen middleware). One query instead of three."""

    def get_user(self, user_id):
        User = get_user_model()
        names = (
            Group.objects.filter(user=OuterRef("pk"))
            .order_by()
            .values("user")
            .annotate(names=StringAgg("name", Value(_SEPARATOR)))
            .values("names")
        )
        try:
            user = (
                User._default_manager.select_related("digest_preference")
                .annotate(role_group_names=Subquery(names))
                .get(pk=user_id)
            )
        except User.DoesNotExist:
            return None
        remember_groups(user, filter(None, (user.role_group_names or "").split(_SEPARATOR)))
        return user if self.user_can_authenticate(user) else None
