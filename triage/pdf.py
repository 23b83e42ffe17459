"""PDF rendering with WeasyPrint. Imported lazily by the minutes service: WeasyPrint takes
a moment to import and only the minutes job and downloads need it."""

import logging

from django.conf import settings

# WeasyPrint logs every layout step at INFO; a worker log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_pdf(html):
    """(pdf bytes, page count) for a complete HTML document with its CSS inline.

    No base URL beyond the static directory: the document loads nothing from the network.
    """
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render()
    return document.write_pdf(), len(document.pages)
