from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages by id: unique and never changing, so a row is neither skipped nor repeated when
    rows are added between two pages."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
