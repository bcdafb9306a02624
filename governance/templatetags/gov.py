from django import template

register = template.Library()

ITEM = {
    "passed": "badge-green",
    "failed": "badge-red",
    "waived": "badge-amber",
    "in_progress": "badge-blue",
}
ACTION = {"done": "badge-green", "in_progress": "badge-blue", "cancelled": ""}
RECOMMENDATION = {
    "continue": "badge-green",
    "expand": "badge-blue",
    "renegotiate": "badge-amber",
    "exit": "badge-red",
}
LEVEL = {"high": "badge-red", "medium": "badge-amber", "low": "badge-green"}


@register.filter
def item_badge(status):
    return ITEM.get(status, "")


@register.filter
def action_badge(status):
    return ACTION.get(status, "")


@register.filter
def recommendation_badge(value):
    return RECOMMENDATION.get(value, "")


@register.filter
def level_badge(level):
    return LEVEL.get(level, "")
