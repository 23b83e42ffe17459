"""Every write of interventions: keyword-only, one transaction each, with its audit row.

Rules enforced here (views and API only translate them):
- only members of the health agency delivering an enrolment change it
  (accounts.access.interventions_agency_id); a referral needs the case shared with that
  agency (break-glass alone is refused at the field) and a perpetrator or victim party of
  the case matching the programme;
- no session before the consent and information-sharing contract is signed and the
  eligibility checklist says eligible (services.eligibility), nor before
  the referral; dates that cannot be true are refused at the field (``*_errors``: the forms
  ask the same functions, so every problem shows in one pass);
- rescheduling marks the old session rescheduled and points it at the new one, so only one
  of them can ever be attended; cancelling takes a coded reason; attendance is coded;
- withdrawal (drop-out) takes a date and a coded reason and cancels the sessions still
  scheduled; a withdrawn or completed enrolment takes no more sessions;
- hand-offs without re-keying: a clinic decision "Refer to intervention" and the crime
  screen's "EASI / intervention candidate" refer the perpetrator to fACT, once (the
  decisions are written out above ``handoff_programme``).
Audit rows name the enrolment or session and the case, never a note."""
