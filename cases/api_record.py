"""API: Case record sections: classification, orders, outcomes, re-offending, reference data."""


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
