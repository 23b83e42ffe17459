"""Risk instruments as versioned data (DASH, S-DASH, SASH, SRP, local tools) and the
assessments made with them."""
