from django.apps import AppConfig


class PluginAppConfig(AppConfig):
    """An app the base app knows nothing of: it plugs in through its declaration alone."""

    name = "tests.plugin_app"
    label = "plugin_app"
    contributions = "tests.plugin_app.contributions.CONTRIBUTIONS"
