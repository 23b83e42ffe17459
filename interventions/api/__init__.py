"""API for programmes, enrolments and sessions: the clinical compartment.

Programmes are reference data any member may list. Enrolments and sessions: the role and
agency are checked first (403 for anyone outside a health agency that delivers
interventions, saying nothing about any record); enrolments are found through
interventions.selectors (404 and a denial row outside the member's agency); writes go
through interventions.services, whose ValidationErrors become field-keyed 400s
(config/api_errors.py). Every read of the compartment is audited."""
