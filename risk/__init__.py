"""Risk instruments as versioned data (DASH, S-DASH, SASH, SRP, local tools) and
assessments. Arrives with the clinics and risk issue."""
