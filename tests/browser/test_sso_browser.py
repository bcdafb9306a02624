"""Single sign-on in a real browser: the sign-in page's button, the provider's form, back to
Concord signed in. The browser, unlike the test client, holds the redirect to the provider to
the page's Content-Security-Policy (form-action)."""

import oidc_provider_mock
from playwright.sync_api import expect

from tests.factories import make_user
from tests.sso.conftest import set_identity, sso_settings


def test_sign_in_with_the_identity_provider(transactional_db, live_server, page, settings, shoot):
    make_user("coo", "Executive", first_name="Clara", last_name="Okafor")
    with oidc_provider_mock.run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        sso_settings(settings, issuer)
        # What config/settings.py adds when OIDC_ISSUER is set.
        settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": ["'self'", issuer]}
        set_identity(issuer, "clara", email="coo@example.com", email_verified=True)

        page.goto(f"{live_server.url}/accounts/login/")
        shoot("sign-in-with-sso")
        page.get_by_role("button", name="Sign in with Acme ID").click()
        page.get_by_label("Subject").fill("clara")
        page.get_by_role("button", name="Authorize", exact=True).click()

        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        expect(page.locator(".user-name")).to_have_text("Clara Okafor")
