"""The partner portal: the partner's side of a partnership, under /portal/.

How it is laid out, so that a new concept (actions, questionnaire, health check, ledger...) is
new files plus one line in each list:

- ``models/``: one module per concept, re-exported from ``models/__init__.py``;
- ``access.py``: the one place that decides what a partner user sees (404) and may change (403);
  a new concept adds its ``get_<thing>(request, pk)`` there, built on ``partnerships_for``;
- ``views/<concept>.py``: function views and that module's ``urlpatterns``, listed in
  ``urls.py``; our side's views of the portal are in ``views/internal.py`` (``internal_urls``,
  mounted at /partner-access/, never reachable by partner users);
- ``navigation.py``: the portal menu (``PORTAL_NAV``) and the context every page's layout reads;
- ``templates/portal/base.html``: the one layout (the partner's name, the portal menu);
- ``emails.py``: every email goes through the outbox (``outbox.services.enqueue_email``);
- ``tests/portal/test_authorization.py``: a new URL needs its line in the table there.
"""
