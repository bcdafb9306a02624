"""A real OpenID Connect provider (oidc-provider-mock, a WSGI app on a thread) and helpers to
sign in through it and to compute TOTP codes (RFC 6238) the way an authenticator app does."""

import base64
import hashlib
import hmac
import re
import struct
import time
from urllib.parse import quote, urlsplit

import oidc_provider_mock
import pytest
import requests

CLIENT_ID = "concord-test"


@pytest.fixture(scope="session")
def oidc_server():
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def sso_settings(settings, issuer, **extra):
    """Point Concord at ``issuer``, as OIDC_* in the environment would (config/settings.py)."""
    settings.OIDC_ISSUER = issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = "test-secret"
    settings.OIDC_PROVIDER_NAME = "Acme ID"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme ID",
                    "client_id": CLIENT_ID,
                    "secret": "test-secret",
                    "settings": {"server_url": issuer},
                }
            ]
        }
    }
    for name, value in extra.items():
        setattr(settings, name, value)


@pytest.fixture
def sso(settings, oidc_server):
    sso_settings(settings, oidc_server, OIDC_ROLE_CLAIM="", OIDC_CREATE_USERS=False)
    return oidc_server


def set_identity(server, sub, **claims):
    """What the provider says of ``sub`` when it signs them in."""
    response = requests.put(f"{server}/users/{quote(sub, safe='')}", json=claims, timeout=5)
    assert response.status_code == 204, response.text


def sso_sign_in(client, server, sub, next_url=""):
    """The browser's way: Concord's button, the provider's authorize form, back to Concord.
    Returns Concord's answer to the callback."""
    start = client.post("/accounts/sso/sso/login/", {"next": next_url})
    assert start.status_code == 302, start.content.decode()[:500]
    assert start["Location"].startswith(f"{server}/oauth2/authorize"), start["Location"]
    authorized = requests.post(
        start["Location"], data={"sub": sub}, allow_redirects=False, timeout=5
    )
    assert authorized.status_code == 302, authorized.text
    back = urlsplit(authorized.headers["Location"])
    assert back.path == "/accounts/sso/sso/login/callback/"
    return client.get(f"{back.path}?{back.query}")


def totp(secret, at=None, step=30, digits=6):
    """RFC 6238: HMAC-SHA1 of the 30-second step count, dynamically truncated."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def password_sign_in(client, username, password="pw-for-tests-1"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in_user(client):
    from django.contrib.auth import get_user

    request = type("R", (), {"session": client.session})()
    return get_user(request)


def page_secret(html):
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)


def page_recovery_codes(html):
    block = re.search(r'<ul class="recovery-codes" id="recovery-codes">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>([^<]+)</li>", block.group(1))
