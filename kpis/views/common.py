"""What the KPI views share: the objects a view is about, fetched for the user."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnerships import access
from partnerships.models import Partnership

from .. import services
from ..models import (
    Alert,
    Kpi,
)


def _partnership(request, pk, *, edit=False):
    queryset = Partnership.objects.select_related("partner", "owner")
    return access.get_partnership_for_user(request.user, pk, edit=edit, queryset=queryset)


def _kpi(request, pk, *, edit=False):
    try:
        kpi = (
            Kpi.objects.visible_to(request.user)
            .select_related("partnership__partner", "partnership__owner", "objective", "owner")
            .get(pk=pk)
        )
    except Kpi.DoesNotExist:
        raise Http404("No such KPI.") from None
    if edit and not services.can_edit_kpis(request.user, kpi.partnership):
        raise PermissionDenied("You can see this KPI but not change it.")
    return kpi


def _alert(request, pk):
    try:
        return (
            Alert.objects.visible_to(request.user)
            .select_related("kpi", "partnership__partner", "partnership__owner", "acknowledged_by")
            .get(pk=pk)
        )
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
