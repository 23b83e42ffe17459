"""The case page's risk panel: ``{% risk_summary case %}`` (one query)."""

from django import template

from risk import selectors

register = template.Library()


@register.inclusion_tag("risk/_case_summary.html")
def risk_summary(case):
    """Only for a case the page has already checked the reader may see."""
    return {"case": case, "risk_summary": selectors.case_risk_summary(case)}
