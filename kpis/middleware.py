"""Tells the person who saved something when its recompute could not be queued at once."""

from django.contrib import messages

from . import recomputes


class RecomputeNoticeMiddleware:
    """A save whose on-commit kick found no broker still succeeded: the page says so, and that
    the dashboard catches up by itself (the sweep takes the marks when the workers are back).

    Sits after MessageMiddleware, so the message is stored with this response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with recomputes.watching() as watch:
            response = self.get_response(request)
        if watch.deferred:
            messages.info(request, recomputes.DEFERRED_NOTICE, fail_silently=True)
        return response
