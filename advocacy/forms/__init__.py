"""Advocacy forms. Each asks the service's own rules in ``clean`` (episode_errors,
contact_errors, close_errors, plan_errors, measure_errors), so every problem shows in one
pass with the error summary; the service checks again when saving."""
