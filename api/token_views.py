"""The user's own API tokens page: create (the secret is shown once) and revoke."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import tokens
from .forms import TokenForm

TEMPLATE = "api/tokens.html"
PAGE_SIZE = 25


def token_list(request):
    # Partner users never get here: the portal boundary answers 404 for every internal page.
    form = TokenForm(request.POST or None, user=request.user)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        created, secret = tokens.token_create(user=request.user, **form.cleaned_data)
        form = TokenForm(user=request.user)
    status = 422 if form.is_bound and form.errors else 200
    page = Paginator(tokens.tokens_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "created": created,
        # Shown on this response only: no copy is kept, in the session or anywhere else.
        "secret": secret,
        "now": timezone.now(),
    }
    return render(request, TEMPLATE, context, status=status)


@require_POST
def token_revoke(request, token_pk):
    if tokens.token_revoke(user=request.user, pk=token_pk):
        messages.success(request, "Token revoked: it no longer works.")
    else:
        messages.info(request, "That token was already revoked or is not yours.")
    return redirect("api_tokens:list")
