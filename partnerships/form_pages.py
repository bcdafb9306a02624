"""The page around a form of one partnership's data (a risk, a milestone, an obligation...):
one template for every app, so they look and behave alike."""

from django.shortcuts import render


def form_page(request, form, *, title, partnership, back_url, back_label="", intro="", extra=None):
    """``form`` on its own page; 422 when it was posted with errors. ``extra`` may add
    ``links`` ([(label, url)] shown beside the title), ``delete_url`` and ``next``."""
    context = {
        "form": form,
        "title": title,
        "partnership": partnership,
        "back_url": back_url,
        "back_label": back_label,
        "intro": intro,
        **(extra or {}),
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "includes/form_page.html", context, status=status)
