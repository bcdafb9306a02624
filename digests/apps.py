from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = "Digests and reminders"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from partnerships.demo_registry import register_seeder
        from partnerships.navigation import register_nav

        from .builtin import register_builtins
        from .demo import seed_digests
        from .middleware import mark_seen_at_login

        register_builtins()
        register_nav("Digest", "digests:preferences", order=80)
        register_seeder("digests", seed_digests, order=200)
        user_logged_in.connect(mark_seen_at_login, dispatch_uid="digests.mark_seen_at_login")
