"""Interventions forms. Each asks the service's own rules in ``clean`` (referral_errors,
consent_errors, schedule_errors, attendance_errors, withdraw_errors), so every problem shows
in one pass with the error summary; the service checks again when saving."""
