"""Interventions pages: the clinician's caseload, referring from a case, the enrolment page,
consent, eligibility, withdrawal, the session forms (schedule, reschedule, cancel, record
attendance, flag for the police and probation), the end report (write, send, PDF); the
admin's local programmes; and the case's Interventions section, which every reader of the
case sees (compliance flags and sent end reports only for the agencies they went to).

Compartment pages check the role and agency first (``provider_member``: 403, saying
nothing about any record), then find the record through interventions.selectors (404 and
one denial row outside the member's agency). The case section is found through the case
selectors and shows status-level facts only (interventions.selectors.interventions_on_case).
Every read is audited; every write goes through interventions.services."""
