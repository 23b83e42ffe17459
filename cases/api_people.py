"""API: People: match suggestions and merges."""


def register(router):
    """Add this area's viewsets to the /api/v1/ router."""
