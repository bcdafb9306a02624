"""POST /api/v1/measurements/: many measurements in one request, checked and written by the
import's rules (``kpis.feeds``): all or nothing, once per ``Idempotency-Key``."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kpis import feeds

from .models import Scope


class MeasurementRowSerializer(serializers.Serializer):
    kpi_id = serializers.IntegerField(help_text="The KPI's number.")
    period = serializers.CharField(
        help_text="Its first day (2026-03-02), or 2026-W10, 2026-03, 2026-Q1; it must fit the "
        "KPI's frequency."
    )
    value = serializers.DecimalField(
        max_digits=20, decimal_places=6, coerce_to_string=False, help_text="In the KPI's unit."
    )
    note = serializers.CharField(required=False, max_length=500)


class FeedSerializer(serializers.Serializer):
    measurements = MeasurementRowSerializer(many=True, min_length=1, max_length=feeds.max_rows())


class WrittenSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    corrected = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Rows without a value, as in an import.")


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in `measurements`, from 0.")
    field = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class RefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    rows = serializers.IntegerField(required=False)
    errors = RowErrorSerializer(many=True, required=False)


KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Send the same key to retry safely: the first answer comes back and nothing "
    "is written again (kept 7 days).",
)


class MeasurementFeed(APIView):
    """Write up to 10,000 measurements; one refused row refuses them all, and every refused
    row is listed."""

    required_scope = Scope.WRITE_MEASUREMENTS

    @extend_schema(
        request=FeedSerializer,
        parameters=[KEY],
        responses={
            201: WrittenSerializer,
            400: RefusedSerializer,
            422: OpenApiResponse(RefusedSerializer, description="The key was used for other rows."),
        },
    )
    def post(self, request):
        data = request.data
        rows = data.get("measurements") if isinstance(data, dict) else None
        if rows is None:
            return Response({"detail": 'Send {"measurements": [...]}.'}, status=400)
        key = request.headers.get("Idempotency-Key")
        answer = feeds.apply_feed(rows, user=request.user, key=key)
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
