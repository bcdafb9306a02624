"""The query-string filters of the list endpoints, checked like any input: a wrong value is a
400 naming the parameter, never an empty list nor a 500."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from kpis.models import Alert
from kpis.models.values import Status

ID = {"required": False, "min_value": 1, "max_value": 2**63 - 1}


class KpiFilters(serializers.Serializer):
    partnership = serializers.IntegerField(**ID, help_text="Only this partnership's KPIs.")

    def apply(self, queryset, data):
        if "partnership" in data:
            queryset = queryset.filter(partnership_id=data["partnership"])
        return queryset


class SnapshotFilters(serializers.Serializer):
    partnership = serializers.IntegerField(**ID)
    kpi = serializers.IntegerField(**ID)
    period_from = serializers.DateField(
        required=False, help_text="Periods starting on or after this date (YYYY-MM-DD)."
    )
    period_to = serializers.DateField(
        required=False, help_text="Periods starting on or before this date (YYYY-MM-DD)."
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)

    def apply(self, queryset, data):
        lookups = {
            "partnership": "partnership_id",
            "kpi": "kpi_id",
            "period_from": "period__gte",
            "period_to": "period__lte",
            "status": "status",
        }
        return queryset.filter(**{lookups[name]: value for name, value in data.items()})


class AlertFilters(serializers.Serializer):
    partnership = serializers.IntegerField(**ID)
    status = serializers.ChoiceField(
        choices=Alert.State.choices, required=False, help_text="The alert's state."
    )

    def apply(self, queryset, data):
        lookups = {"partnership": "partnership_id", "status": "state"}
        return queryset.filter(**{lookups[name]: value for name, value in data.items()})


def filtered(queryset, filters_class, query_params):
    """``queryset`` narrowed by the valid filters in ``query_params``; 400 otherwise."""
    filters = filters_class(data=query_params)
    if not filters.is_valid():
        raise ValidationError({"detail": "Check the filters.", "errors": filters.errors})
    return filters.apply(queryset, filters.validated_data)
