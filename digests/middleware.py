from django.utils import timezone

from .services import preference_touch_last_seen

SESSION_KEY = "digests_last_seen"


class LastSeenMiddleware:
    """Record the day a signed-in user was last in the app, for the digest's inactivity rule.

    The session remembers the day already recorded, so this writes at most once a day per
    session and costs nothing on the other requests. Goes after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            today = timezone.localdate().isoformat()
            if request.session.get(SESSION_KEY) != today:
                preference_touch_last_seen(user=user)
                request.session[SESSION_KEY] = today
        return self.get_response(request)


def mark_seen_at_login(sender, request, user, **kwargs):
    """Logging in counts as being seen; doing it here keeps the day's first page light."""
    preference_touch_last_seen(user=user)
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = timezone.localdate().isoformat()
