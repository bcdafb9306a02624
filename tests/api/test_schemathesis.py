"""Schemathesis against a live server, with each role's token: no request generated from the
schema gets a 500, and every answer is what the schema says it is."""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.models import Scope
from kpis.models import Alert

from .conftest import token_for

EXAMPLES = 12  # per operation: 8 operations x 3 roles, about 10 s a role


def _narrow_path_ids(raw, ids):
    """Path ids drawn from real objects (seen and not seen by the role) and one that does not
    exist, so detail endpoints answer 200 as well as 404."""
    for path, methods in raw["paths"].items():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"]["enum"] = ids[path.split("/")[3]]
    return raw


@pytest.mark.parametrize("role", ["coo", "manager", "viewer"])
def test_every_operation_conforms_to_the_schema(
    live_server, transactional_db, company, request, role
):
    user = request.getfixturevalue(role)
    scopes = (Scope.READ, Scope.WRITE_MEASUREMENTS)
    headers = {"Authorization": f"Bearer {token_for(user, scopes)}"}
    response = requests.get(
        f"{live_server.url}/api/v1/schema/", params={"format": "json"}, headers=headers, timeout=30
    )
    assert response.status_code == 200
    alerts = list(Alert.objects.values_list("pk", flat=True))
    ids = {
        "partnerships": [company["ours"].pk, company["theirs"].pk, 10**9],
        "kpis": [company["sales"].pk, company["rival"].pk, 10**9],
        "alerts": [*alerts, 10**9],
    }
    schema = schemathesis.openapi.from_dict(_narrow_path_ids(response.json(), ids))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    for operation in operations:
        _check(operation, live_server.url, headers)


def _check(operation, base_url, headers):
    # A schema-valid bulk write is still refused for KPIs that do not exist or are not the
    # token's: what is valid depends on what is stored, which no schema can say.
    excluded = [positive_data_acceptance] if operation.method.upper() == "POST" else []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # The same examples on every run: a CI failure can be replayed as is. (Run with a
        # larger EXAMPLES and without this to explore; 80 per operation found nothing.)
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        # No shared session: a kept-alive connection would hold a server thread, and its
        # database connection, past the end of the test.
        case.call_and_validate(base_url=base_url, headers=headers, excluded_checks=excluded)

    check()
