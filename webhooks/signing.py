"""The signature every delivery carries, and its check (what a receiver does).

``X-Concord-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` with the
webhook's secret, ``<timestamp>`` being ``X-Concord-Timestamp`` (Unix seconds). Signing the
timestamp with the body lets a receiver refuse an old delivery replayed later.
"""

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 5 * 60


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(secret: str, body: bytes, *, delivery: str, event: str, now: float | None = None):
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "Concord-Webhooks/1",
        "X-Concord-Event": event,
        "X-Concord-Delivery": delivery,
        "X-Concord-Timestamp": str(timestamp),
        "X-Concord-Signature": signature(secret, timestamp, body),
    }


def verify(secret, body: bytes, *, timestamp, signed, now=None, tolerance=TOLERANCE_SECONDS):
    """True when ``signed`` (the header) is this body's signature and the timestamp is recent."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), signed)
