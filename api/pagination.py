from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages by id: unique and never changing, so a row is neither skipped nor repeated when
    rows are added between two pages."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                # Cursors are base64, as the `next` and `previous` links write them.
                parameter["schema"]["pattern"] = "^[A-Za-z0-9+/=]*$"
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
