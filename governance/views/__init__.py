"""Function views: parse the request, check access, call a service or selector, render.

Every partnership-scoped view starts with ``_partnership`` (404 if not visible, 403 if it
cannot be changed). Panel views answer HTMX with the panel fragment and a plain request with
the whole page. One module per concept: due_diligence, roles, meetings, risks (see urls.py).
"""
