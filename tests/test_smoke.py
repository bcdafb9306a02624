from django.urls import reverse


def test_list_page_shows_partnership_to_team_member(client, partnership, manager):
    client.force_login(manager)
    response = client.get(reverse("partnerships:list"))
    assert response.status_code == 200
    assert partnership.title in response.text
