"""The audit context of a request: who (the signed-in user) and through what (the source)."""

from pghistory.middleware import HistoryMiddleware

from .context import ADMIN, API, IMPORT, PAGE, set_source

# Views that apply an uploaded import: the writes they make are the import's.
IMPORT_VIEWS = {"kpis:import_confirm", "portal:import_confirm"}


def source_of(path):
    if path.startswith("/admin/"):
        return ADMIN
    if path.startswith("/api/"):
        return API
    return PAGE


class AuditMiddleware(HistoryMiddleware):
    """pghistory's middleware (user and URL, and the user again if a view signs someone in),
    with the source. Goes after AuthenticationMiddleware, before anything that writes."""

    def get_context(self, request):
        return {**super().get_context(request), "source": source_of(request.path)}

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name in IMPORT_VIEWS:
            set_source(IMPORT)
