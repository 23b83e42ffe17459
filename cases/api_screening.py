"""API: Crime-screen imports, entries and screening actions."""


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
