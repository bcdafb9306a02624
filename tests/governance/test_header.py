from django.urls import reverse

from governance.models import GovernanceRole, RoleKind


def test_sponsor_shows_in_the_partnership_header(client, coo, partnership):
    client.force_login(coo)
    page = client.get(reverse("partnerships:detail", args=[partnership.pk])).text
    assert "Sponsor" in page and "none assigned" in page
    GovernanceRole.objects.create(
        partnership=partnership, kind=RoleKind.EXECUTIVE_SPONSOR, user=coo, level="strategic"
    )
    page = client.get(reverse("partnerships:detail", args=[partnership.pk])).text
    assert "Clara Okafor" in page and "none assigned" not in page
