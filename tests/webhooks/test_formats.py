"""The bodies Slack and Teams post as they are, the generic JSON, and the signature."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from outbox.models import Message
from webhooks import formats, signing
from webhooks.events import Occurrence, send_test
from webhooks.models import Format

from .conftest import make_webhook

AT = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


@pytest.fixture
def occurrence(partnership):
    return Occurrence(
        event="alert.opened",
        source="alert-event:7",
        partnership=partnership,
        title="Alert opened: Pipeline <Q4> & more",
        text="Pipeline is at risk.",
        url="/kpis/alerts/7/",
        facts=(("KPI", "Pipeline"), ("Value", "85"), ("Status", "At risk")),
        data={"kpi": {"name": "Pipeline", "value": "85"}, "alert": {"status": "at_risk"}},
        tone="amber",
    )


def test_generic_json(occurrence, settings):
    body = json.loads(formats.render(Format.GENERIC, occurrence, delivery="d-1", at=AT))
    assert body["id"] == "d-1" and body["event"] == "alert.opened"
    assert body["time"] == "2026-11-18T10:30:00+00:00"
    assert body["url"] == settings.SITE_URL + "/kpis/alerts/7/"
    assert body["partnership"]["title"] == occurrence.partnership.title
    assert body["partnership"]["url"].startswith(settings.SITE_URL)
    assert body["kpi"] == {"name": "Pipeline", "value": "85"}


def test_slack_text_and_blocks(occurrence, settings):
    body = json.loads(formats.render(Format.SLACK, occurrence, delivery="d-1", at=AT))
    assert set(body) == {"text", "blocks"}
    assert body["text"].startswith("Alert opened: Pipeline <Q4> & more")
    section, fields, actions, context = body["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    # Slack's own escaping, so a title cannot break the link markup.
    assert "Pipeline &lt;Q4&gt; &amp; more" in section["text"]["text"]
    assert f"<{settings.SITE_URL}/kpis/alerts/7/|" in section["text"]["text"]
    assert [f["text"] for f in fields["fields"]][0] == "*KPI*\nPipeline"
    (button,) = actions["elements"]
    assert button["type"] == "button" and button["url"] == settings.SITE_URL + "/kpis/alerts/7/"
    assert context["type"] == "context"


def test_teams_message_card(occurrence, settings):
    body = json.loads(formats.render(Format.TEAMS, occurrence, delivery="d-1", at=AT))
    assert body["@type"] == "MessageCard"
    assert body["@context"] == "https://schema.org/extensions"
    assert body["title"] == occurrence.title and body["text"] == "Pipeline is at risk."
    assert body["themeColor"] == formats.TONE_COLOURS["amber"]
    (section,) = body["sections"]
    assert section["facts"][1] == {"name": "Value", "value": "85"}
    (action,) = body["potentialAction"]
    assert action["@type"] == "OpenUri"
    assert action["targets"] == [{"os": "default", "uri": settings.SITE_URL + "/kpis/alerts/7/"}]


def test_signature_is_hmac_of_timestamp_dot_body():
    body = b'{"event": "alert.opened"}'
    headers = signing.headers("whsec_abc", body, delivery="d-1", event="alert.opened", now=1000)
    assert headers["X-Concord-Timestamp"] == "1000"
    assert headers["X-Concord-Delivery"] == "d-1"
    expected = hmac.new(b"whsec_abc", b"1000." + body, hashlib.sha256).hexdigest()
    assert headers["X-Concord-Signature"] == f"sha256={expected}"
    signed = headers["X-Concord-Signature"]
    assert signing.verify("whsec_abc", body, timestamp="1000", signed=signed, now=1010)
    assert not signing.verify("whsec_other", body, timestamp="1000", signed=signed, now=1010)
    assert not signing.verify("whsec_abc", body + b" ", timestamp="1000", signed=signed, now=1010)
    assert not signing.verify("whsec_abc", body, timestamp="1001", signed=signed, now=1010)
    assert not signing.verify("whsec_abc", body, timestamp="1000", signed=signed, now=2000)
    assert not signing.verify("whsec_abc", body, timestamp="soon", signed=signed, now=1000)


def test_a_test_event_goes_to_one_webhook_whatever_it_follows(db, coo):
    hook = make_webhook(events=[], format=Format.SLACK)
    make_webhook(name="Another")
    send_test(hook, by=coo)
    send_test(hook, by=coo)  # each press is a delivery of its own
    messages = Message.objects.filter(origin=f"webhook:{hook.pk}")
    assert messages.count() == 2 and Message.objects.count() == 2
    body = json.loads(messages.first().text)
    assert "Clara Okafor sent this test" in body["text"]
