"""What the OpenAPI schema says beyond what drf-spectacular reads from the views: the bearer
token, and the errors every endpoint may answer with."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "A filter is not valid.",
    "401": "No token, or an unknown, expired or revoked one.",
    "403": "The token lacks the scope this endpoint needs.",
    "404": "No such object, not one you may see, or a cursor that is not valid.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, created on the “API tokens” page.",
        }


def add_error_responses(result, generator, request, public):
    """Every operation may answer 400, 401, 403 and 404 with ``{"detail": ...}``."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
