"""API for support episodes, their contacts, the referral queue, safety plan versions and
target-hardening measures: the advocacy compartment.

The role and agency are checked first (403 for anyone outside a victim advocacy agency,
saying nothing about any record); episodes are found through advocacy.selectors (404 and a
denial row outside the member's agency); writes go through advocacy.services, whose
ValidationErrors become field-keyed 400s (config/api_errors.py). Every read is audited."""
