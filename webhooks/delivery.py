"""The outbox sender of webhooks: POST the stored body, signed with the webhook's current secret.

2xx is delivered. A 4xx other than 408 and 429 (and a redirect, which is not followed) is a
refusal no retry changes; anything else (5xx, timeout, connection refused) is retried with the
outbox's backoff. The response code is kept on the message for the delivery log.
"""

import http.client
import urllib.error
import urllib.request

from django.conf import settings

from outbox.models import Message
from outbox.senders import DeliveryError

from . import signing
from .models import TEST_EVENT, Webhook

RETRYABLE_4XX = (408, 429)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx is raised as an HTTPError instead


# No proxy from the environment: a webhook goes straight to the URL its executive registered.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def is_refusal(code: int) -> bool:
    return 300 <= code < 400 or (400 <= code < 500 and code not in RETRYABLE_4XX)


class WebhookSender:
    def send(self, message):
        hook = Webhook.objects.filter(pk=message.payload.get("webhook")).first()
        if hook is None:
            raise DeliveryError("The webhook was deleted before this was sent.", permanent=True)
        if not hook.is_active and message.payload.get("event") != TEST_EVENT:
            raise DeliveryError("The webhook was turned off before this was sent.", permanent=True)
        body = message.text.encode()
        headers = signing.headers(
            hook.secret,
            body,
            delivery=message.payload.get("delivery", str(message.pk)),
            event=message.payload.get("event", ""),
        )
        request = urllib.request.Request(message.recipient, data=body, headers=headers)
        try:
            with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
                code = response.status
        except urllib.error.HTTPError as error:
            _keep_code(message, error.code)
            raise DeliveryError(
                f"The receiver answered {error.code} {error.reason}.",
                permanent=is_refusal(error.code),
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryError(f"The receiver could not be reached: {reason}") from None
        _keep_code(message, code)
        if not 200 <= code < 300:
            raise DeliveryError(f"The receiver answered {code}.", permanent=is_refusal(code))

    def close(self):
        pass  # one connection per request: nothing stays open


def _keep_code(message, code):
    # The message is ours (claimed, lease renewed) while it is sent: nobody else writes it.
    message.payload = {**message.payload, "response_code": code}
    Message.objects.filter(pk=message.pk).update(payload=message.payload)
