"""The decision pack as a PDF, drawn by WeasyPrint from the same sections as the page. Its
template carries its own print styles, so nothing is fetched while it is drawn."""


def render_pdf(html):
    # Imported here: WeasyPrint loads Pango, which only the PDF needs.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
