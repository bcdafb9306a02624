"""The three bodies a delivery can take: generic JSON for programs, and the message shapes that
Slack and Microsoft Teams incoming webhooks post to a channel as they are."""

import json

from django.conf import settings

from .models import EVENT_LABELS, Format

TONE_COLOURS = {"red": "C0392B", "amber": "D68910", "green": "1E8449"}
DEFAULT_COLOUR = "2E5C8A"
OPEN_LABEL = "Open in Concord"


def absolute(url):
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def render(fmt, occurrence, *, delivery, at) -> str:
    """The exact text posted (and signed)."""
    builder = {Format.SLACK: slack, Format.TEAMS: teams}.get(fmt, generic)
    return json.dumps(builder(occurrence, delivery=delivery, at=at), ensure_ascii=False)


def _partnership(occurrence):
    p = occurrence.partnership
    if p is None:
        return None
    return {"id": p.pk, "title": p.title, "url": absolute(p.get_absolute_url())}


def generic(occurrence, *, delivery, at):
    return {
        "id": delivery,
        "event": occurrence.event,
        "time": at.isoformat(),
        "title": occurrence.title,
        "text": occurrence.text,
        "url": absolute(occurrence.url),
        "partnership": _partnership(occurrence),
        **occurrence.data,
    }


def _slack_escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(occurrence, *, delivery, at):
    url = absolute(occurrence.url)
    label = EVENT_LABELS.get(occurrence.event, occurrence.event)
    blocks = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*<{url}|{_slack_escape(occurrence.title)}>*\n"
                f"{_slack_escape(occurrence.text)}",
            },
        }
    ]
    if occurrence.facts:
        blocks.append(
            {
                "type": "section",
                # Slack shows at most ten fields in a section.
                "fields": [
                    {"type": "mrkdwn", "text": f"*{_slack_escape(k)}*\n{_slack_escape(v)}"}
                    for k, v in occurrence.facts[:10]
                ],
            }
        )
    blocks += [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": OPEN_LABEL},
                    "url": url,
                }
            ],
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Concord · {_slack_escape(label)}"}],
        },
    ]
    # ``text`` is what notifications and clients without blocks show.
    return {"text": f"{occurrence.title}: {occurrence.text}", "blocks": blocks}


def teams(occurrence, *, delivery, at):
    """A MessageCard, which every Teams incoming webhook (and Power Automate's) accepts."""
    url = absolute(occurrence.url)
    section = {
        "activityTitle": occurrence.title,
        "activitySubtitle": EVENT_LABELS.get(occurrence.event, occurrence.event),
        "text": occurrence.text,
        "facts": [{"name": k, "value": str(v)} for k, v in occurrence.facts],
    }
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": occurrence.title,
        "themeColor": TONE_COLOURS.get(occurrence.tone, DEFAULT_COLOUR),
        "title": occurrence.title,
        "text": occurrence.text,
        "sections": [section],
        "potentialAction": [
            {"@type": "OpenUri", "name": OPEN_LABEL, "targets": [{"os": "default", "uri": url}]}
        ],
    }
