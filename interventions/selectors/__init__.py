"""Every read of interventions, scoped by the clinical compartment's one rule.

``enrolments_visible_to`` starts every query of the compartment: the enrolments delivered by
the member's health agency (accounts.access.interventions_agency_id), nothing for anyone
else. Sessions (and their notes) are only ever read for an enrolment found through it. What
the rest of the case's readers may know (who is enrolled on what, the derived status,
attendance and dates) comes from ``interventions_on_case``, which never selects a note."""
