"""PDF rendering with WeasyPrint. Imported lazily by the minutes service: WeasyPrint takes
a moment to import and only the minutes job and downloads need it."""

import logging

from django.conf import settings

# WeasyPrint logs every layout step at INFO; a worker log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_VARIANT = "pdf/ua-1"


def render_pdf(html):
    """(pdf bytes, page count) for a complete HTML document with its CSS inline.

    No base URL beyond the static directory: the document loads nothing from the network.
    The PDF is tagged for accessibility (PDF/UA-1: structure tags from the HTML headings,
    lists and paragraphs, the document's language and title), so a screen reader can
    follow it; `pdfinfo` reports "Tagged: yes".
    """
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render()
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)


def load_engine():
    import weasyprint  # noqa: F401
