from django.apps import AppConfig


class ConcordConfig(AppConfig):
    """The project's own wiring that belongs to no app: what happens at sign-in."""

    name = "config"
    label = "concord"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_active_at_login

        user_logged_in.connect(mark_active_at_login, dispatch_uid="concord.mark_active_at_login")
