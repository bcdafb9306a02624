"""The executives' webhook pages: access, validation, secret, test event and delivery log."""

import pytest
from django.urls import reverse

from outbox.models import Message, Status
from outbox.services import deliver_all_due
from webhooks.events import send_test
from webhooks.models import Event, Format, Webhook

from .conftest import make_webhook

VALID = {
    "name": "#partnerships",
    "url": "https://hooks.slack.com/services/T0/B0/XYZ",
    "format": Format.SLACK,
    "events": [Event.ALERT_OPENED, Event.STAGE_MOVED],
    "is_active": "on",
}


@pytest.fixture
def exec_client(client, coo):
    client.force_login(coo)
    return client


def test_empty_list(exec_client):
    response = exec_client.get(reverse("webhooks:list"))
    assert response.status_code == 200
    assert b"No webhooks yet." in response.content


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_executives(db, client, request, role):
    hook = make_webhook()
    client.force_login(request.getfixturevalue(role))
    pages = [
        reverse("webhooks:list"),
        reverse("webhooks:create"),
        reverse("webhooks:detail", args=[hook.pk]),
        reverse("webhooks:edit", args=[hook.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    for name in ("rotate", "test", "delete"):
        assert client.post(reverse(f"webhooks:{name}", args=[hook.pk])).status_code == 403
    hook.refresh_from_db()
    assert not Message.objects.exists()


def test_register_then_see_the_secret(exec_client, coo):
    response = exec_client.post(reverse("webhooks:create"), VALID)
    hook = Webhook.objects.get()
    assert response.status_code == 302 and response.url == hook.get_absolute_url()
    assert hook.events == [Event.ALERT_OPENED, Event.STAGE_MOVED]
    assert hook.created_by == coo and hook.secret.startswith("whsec_")
    page = exec_client.get(hook.get_absolute_url()).content.decode()
    assert hook.secret not in page  # hidden until asked for
    page = exec_client.get(hook.get_absolute_url() + "?secret=show").content.decode()
    assert hook.secret in page
    assert "Nothing delivered yet." in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"url": "http://hooks.example.com/x"}, "url", "plain http:// is accepted only for"),
        ({"url": "ftp://hooks.example.com/x"}, "url", "Enter an https:// address"),
        ({"url": "not a url"}, "url", "Enter the full address"),
        ({"url": ""}, "url", "This field is required"),
        ({"events": []}, "events", "Choose at least one event to send."),
        ({"name": "   "}, "name", "This field is required"),
    ],
)
def test_validation_messages(exec_client, changes, field, message):
    response = exec_client.post(reverse("webhooks:create"), {**VALID, **changes})
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("url", ["http://localhost:8000/hook", "http://127.0.0.1:9000/"])
def test_plain_http_to_this_machine_is_accepted(exec_client, url):
    response = exec_client.post(reverse("webhooks:create"), {**VALID, "url": url})
    assert response.status_code == 302
    assert Webhook.objects.get().url == url


def test_edit(exec_client):
    hook = make_webhook()
    response = exec_client.post(
        reverse("webhooks:edit", args=[hook.pk]),
        {**VALID, "format": Format.TEAMS, "events": [Event.OBLIGATION_OVERDUE]},
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.format, hook.events, hook.is_active) == (
        Format.TEAMS,
        [Event.OBLIGATION_OVERDUE],
        True,
    )


def test_rotate_secret(exec_client):
    hook = make_webhook()
    old = hook.secret
    assert exec_client.get(reverse("webhooks:rotate", args=[hook.pk])).status_code == 405
    response = exec_client.post(reverse("webhooks:rotate", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret_rotated_at is not None
    page = exec_client.get(response.url).content.decode()
    assert hook.secret in page


def test_send_test_event_shows_in_the_log(exec_client):
    hook = make_webhook("http://127.0.0.1:9/closed")
    response = exec_client.post(reverse("webhooks:test", args=[hook.pk]), follow=True)
    assert b"Test event queued" in response.content
    deliver_all_due()  # nobody listens there
    page = exec_client.get(hook.get_absolute_url()).content.decode()
    assert "Test event" in page and "could not be reached" in page
    assert Message.objects.get().status == Status.PENDING


def test_delete(exec_client):
    hook = make_webhook()
    response = exec_client.post(reverse("webhooks:delete", args=[hook.pk]))
    assert response.status_code == 302 and not Webhook.objects.exists()


def test_pages_within_the_query_budget(exec_client, coo, django_assert_max_num_queries):
    hooks = [make_webhook(name=f"Hook {i}") for i in range(30)]
    for _ in range(30):
        send_test(hooks[0], by=coo)
    with django_assert_max_num_queries(15):
        response = exec_client.get(reverse("webhooks:list"))
    assert response.status_code == 200 and b"1\xe2\x80\x9325 of 30 webhooks" in response.content
    with django_assert_max_num_queries(15):
        response = exec_client.get(reverse("webhooks:detail", args=[hooks[0].pk]) + "?page=2")
    assert response.status_code == 200 and b"26\xe2\x80\x9330 of 30 deliveries" in response.content
    with django_assert_max_num_queries(15):
        response = exec_client.get(reverse("webhooks:create"))
    assert response.status_code == 200
    with django_assert_max_num_queries(15):
        response = exec_client.get(reverse("webhooks:edit", args=[hooks[0].pk]))
    assert response.status_code == 200
