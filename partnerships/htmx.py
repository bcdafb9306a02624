def fragment(request, template, partial):
    """The page template, or just its named partial when HTMX asks for a fragment.

    Boosted and history-restore requests need the whole page.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return f"{template}#{partial}"
    return template
