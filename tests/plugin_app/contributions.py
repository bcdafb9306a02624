"""A panel and a portfolio column, declared the way the README's layout section says."""

from django.db.models.functions import Length
from django.utils.html import format_html

from partnerships.plugins import Contributions, Panel, Slot
from partnerships.portfolio import Column

CONTRIBUTIONS = Contributions(
    panels=[Panel("notes", "Field notes", "plugin_app:notes", slot=Slot.SIDE, order=70)],
    columns=[
        Column(
            "title_length",
            "Title length",
            lambda row: format_html(
                '<span class="title-length">{} letters</span>', row.title_length
            ),
            export=lambda row: row.title_length,
            annotate=lambda partnerships: partnerships.annotate(title_length=Length("title")),
            sort="title_length",
            order=95,
        )
    ],
)
