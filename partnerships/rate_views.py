"""The exchange-rate table: executives keep the rates portfolio totals convert at."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from .conversion import rates_on
from .exchange_rates import ExchangeRate
from .forms import DateInput
from .roles import is_executive

PAGE_SIZE = 25


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from"]
        widgets = {"valid_from": DateInput()}
        labels = {"valid_from": "Valid from"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reporting = settings.REPORTING_CURRENCY
        self.fields["currency"].choices = [
            c for c in self.fields["currency"].choices if c[0] != reporting
        ]
        self.fields[
            "rate"
        ].help_text = f"What 1 unit of the currency is worth in {reporting}, e.g. 0.92 for 1 USD."
        self.fields[
            "valid_from"
        ].help_text = "Totals on this date and after use this rate, until a later one is entered."

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate is not None and rate <= 0:
            raise forms.ValidationError("A rate must be more than zero.")
        return rate


def _executive_only(request):
    if not is_executive(request.user):
        raise PermissionDenied("Only executives keep the exchange rates.")


def rate_list(request):
    _executive_only(request)
    rates = ExchangeRate.objects.select_related("updated_by")
    page = Paginator(rates, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    in_force = {r.currency: r.valid_from for r in rates_on(today).values() if r.valid_from}
    for rate in page.object_list:
        rate.in_use = in_force.get(rate.currency) == rate.valid_from
    context = {
        "page": page,
        "reporting": settings.REPORTING_CURRENCY,
    }
    return render(request, "partnerships/rates.html", context)


def rate_form(request, pk=None):
    _executive_only(request)
    rate = get_object_or_404(ExchangeRate, pk=pk) if pk else ExchangeRate()
    form = ExchangeRateForm(request.POST or None, instance=rate)
    if request.method == "POST" and form.is_valid():
        rate = form.save(commit=False)
        rate.updated_by = request.user
        rate.save()
        messages.success(request, f"Rate saved: {rate.currency} from {rate.valid_from:%d %b %Y}.")
        return redirect("partnerships:rates")
    context = {
        "form": form,
        "title": "Edit exchange rate" if pk else "New exchange rate",
        "cancel_url": reverse("partnerships:rates"),
    }
    return render(request, "partnerships/form.html", context)
