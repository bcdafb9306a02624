"""SSO and MFA settings read from the environment (config/settings.py, the sign-on block)."""

import ast

import pytest
from django.core.exceptions import ImproperlyConfigured

from signin.middleware import required_groups
from signin.roles import parse_role_map
from tests.test_config import settings_in_subprocess

PRODUCTION = {"SECRET_KEY": "k" * 40, "DATABASE_URL": "postgres://x@h/db"}


def test_environment_configures_the_provider_and_lets_its_redirect_through_csp():
    env = {
        **PRODUCTION,
        "OIDC_ISSUER": "https://id.example.com/realms/acme/",
        "OIDC_CLIENT_ID": "concord",
        "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_PROVIDER_NAME": "Acme ID",
        "MFA_REQUIRED_ROLES": "executive,staff",
    }
    result = settings_in_subprocess(
        env,
        "settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0], "
        "settings.SECURE_CSP['form-action'], settings.MFA_REQUIRED_ROLES",
    )
    app, form_action, required = ast.literal_eval(result.stdout.strip())
    assert app["settings"] == {"server_url": "https://id.example.com/realms/acme"}
    assert (app["name"], app["client_id"], app["secret"]) == ("Acme ID", "concord", "s3cret")
    assert form_action == ["'self'", "https://id.example.com"]
    assert required == ["executive", "staff"]


def test_without_an_issuer_there_is_no_provider_and_no_csp_change():
    result = settings_in_subprocess(
        PRODUCTION,
        "settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'], "
        "settings.SECURE_CSP['form-action'], settings.MFA_REQUIRED_ROLES",
    )
    assert result.stdout.strip() == "([], [\"'self'\"], [])", result.stderr


def test_role_map_is_read_and_checked():
    assert parse_role_map(" a=executive, b = partner_manager ,,c=viewer") == {
        "a": "Executive",
        "b": "Partner manager",
        "c": "Viewer",
    }
    with pytest.raises(ImproperlyConfigured, match="claim-value=role"):
        parse_role_map("concord-exec=boss")
    with pytest.raises(ImproperlyConfigured):
        parse_role_map("executive")


def test_required_roles_are_checked(settings):
    settings.MFA_REQUIRED_ROLES = ["executive", "staff"]
    assert required_groups() == ({"Executive"}, True)
    settings.MFA_REQUIRED_ROLES = ["execs"]
    with pytest.raises(ImproperlyConfigured, match="MFA_REQUIRED_ROLES names execs"):
        required_groups()


def test_a_wrong_setting_stops_the_start(settings):
    from signin.checks import check_settings

    settings.OIDC_ROLE_MAP = "x=boss"
    settings.MFA_REQUIRED_ROLES = ["execs"]
    errors = check_settings(None)
    assert [e.id for e in errors] == ["signin.E001", "signin.E002"]
    settings.OIDC_ROLE_MAP = "x=viewer"
    settings.MFA_REQUIRED_ROLES = ["viewer"]
    assert check_settings(None) == []
