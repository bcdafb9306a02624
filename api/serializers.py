"""The JSON shapes of the API, read-only. Each nested object is read with its parent
(the views' querysets select them), never one query per row."""

from rest_framework import serializers

from kpis.models import Alert, Kpi, Snapshot
from kpis.models.values import Status
from partnerships.models import Partnership


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class PartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PartnershipSerializer(serializers.ModelSerializer):
    partner = PartnerSerializer()
    owner = PersonSerializer(allow_null=True)
    web_url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Partnership
        fields = [
            "id",
            "title",
            "partner",
            "type",
            "stage",
            "owner",
            "start_date",
            "end_date",
            "estimated_annual_value",
            "currency",
            "description",
            "stage_changed_at",
            "created_at",
            "updated_at",
            "web_url",
        ]


class ObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class KpiSerializer(serializers.ModelSerializer):
    objective = ObjectiveSerializer()
    owner = PersonSerializer(allow_null=True)
    # The latest snapshot's status, read with the KPI (views annotate it); null before any.
    latest_status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
    latest_period = serializers.DateField(allow_null=True)
    web_url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Kpi
        fields = [
            "id",
            "partnership",
            "objective",
            "name",
            "description",
            "unit",
            "currency",
            "direction",
            "target",
            "warning",
            "critical",
            "baseline",
            "frequency",
            "aggregation",
            "owner",
            "is_active",
            "version",
            "latest_status",
            "latest_period",
            "created_at",
            "updated_at",
            "web_url",
        ]


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Snapshot
        fields = [
            "id",
            "kpi",
            "partnership",
            "period",
            "period_end",
            "frequency",
            "is_closed",
            "is_latest",
            "value",
            "measurement_count",
            "status",
            "attainment",
            "change",
            "change_pct",
            "trend",
            "rolling_avg",
            "kpi_version",
            "direction",
            "target",
            "warning",
            "critical",
            "computed_at",
        ]


class AlertSerializer(serializers.ModelSerializer):
    kpi_name = serializers.CharField(source="kpi.name")
    acknowledged_by = PersonSerializer(allow_null=True)
    web_url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Alert
        fields = [
            "id",
            "kpi",
            "kpi_name",
            "partnership",
            "state",
            "severity",
            "peak_severity",
            "opened_at",
            "opened_period",
            "opened_value",
            "escalated_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement",
            "resolved_at",
            "resolved_period",
            "resolution",
            "web_url",
        ]
