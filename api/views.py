"""The read-only endpoints of /api/v1/. Who sees what is decided by the functions the pages
use (``visible_to`` and ``partnerships.access``), never by rules of the API's own."""

from django.db.models import OuterRef, Subquery
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView

from kpis.models import Alert, Kpi, Snapshot
from partnerships import access
from partnerships.models import Partnership

from .filters import AlertFilters, KpiFilters, SnapshotFilters, filtered
from .models import Scope
from .serializers import AlertSerializer, KpiSerializer, PartnershipSerializer, SnapshotSerializer


class ReadView:
    required_scope = Scope.READ


def _path_id(name):
    return extend_schema(parameters=[OpenApiParameter(name, int, OpenApiParameter.PATH)])


def partnerships_for(user):
    return Partnership.objects.visible_to(user).select_related("partner", "owner")


def kpis_for(user):
    latest = Snapshot.objects.filter(kpi_id=OuterRef("pk"), is_latest=True)
    return (
        Kpi.objects.visible_to(user)
        .select_related("objective", "owner")
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
        )
    )


def alerts_for(user):
    return Alert.objects.visible_to(user).select_related("kpi", "acknowledged_by")


class PartnershipList(ReadView, ListAPIView):
    """The partnerships the token's user sees on the portfolio page."""

    serializer_class = PartnershipSerializer

    def get_queryset(self):
        return partnerships_for(self.request.user)


@_path_id("pk")
class PartnershipDetail(ReadView, RetrieveAPIView):
    serializer_class = PartnershipSerializer

    def get_object(self):
        return access.get_partnership_for_user(
            self.request.user, self.kwargs["pk"], queryset=partnerships_for(self.request.user)
        )


@extend_schema(parameters=[KpiFilters])
class KpiList(ReadView, ListAPIView):
    serializer_class = KpiSerializer

    def get_queryset(self):
        return filtered(kpis_for(self.request.user), KpiFilters, self.request.query_params)


@_path_id("kpi_pk")
class KpiDetail(ReadView, RetrieveAPIView):
    serializer_class = KpiSerializer

    def get_object(self):
        return _get(kpis_for(self.request.user), self.kwargs["kpi_pk"], "No such KPI.")


@extend_schema(parameters=[SnapshotFilters])
class SnapshotList(ReadView, ListAPIView):
    """Computed KPI values, one per KPI and period."""

    serializer_class = SnapshotSerializer

    def get_queryset(self):
        visible = Snapshot.objects.filter(
            partnership__in=Partnership.objects.visible_to(self.request.user)
        )
        return filtered(visible, SnapshotFilters, self.request.query_params)


@extend_schema(parameters=[AlertFilters])
class AlertList(ReadView, ListAPIView):
    serializer_class = AlertSerializer

    def get_queryset(self):
        return filtered(alerts_for(self.request.user), AlertFilters, self.request.query_params)


@_path_id("alert_pk")
class AlertDetail(ReadView, RetrieveAPIView):
    serializer_class = AlertSerializer

    def get_object(self):
        return _get(alerts_for(self.request.user), self.kwargs["alert_pk"], "No such alert.")


def _get(queryset, pk, message):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(message) from None
