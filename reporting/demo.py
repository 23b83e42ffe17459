def seed(*, partnership, agencies, members):
    """Demo records for this area on the demo partnership's cases."""
