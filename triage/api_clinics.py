def register(router):
    """Registers this area's endpoints on the API router."""
