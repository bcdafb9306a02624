from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = "Digests and reminders"

    def ready(self):
        from partnerships.demo_registry import register_seeder
        from partnerships.navigation import register_nav

        from .builtin import register_builtins
        from .demo import seed_digests

        register_builtins()
        register_nav("Digest", "digests:preferences", order=80)
        register_seeder("digests", seed_digests, order=200)
