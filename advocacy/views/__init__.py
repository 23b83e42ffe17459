"""Advocacy pages: the caseload, the referrals waiting (accept or decline), starting
support, the episode page, logging a contact, editing and closing an episode, the safety
plan (versions) and target hardening.

Every page is for the advocacy compartment: the role and agency are checked first
(``advocacy_member``: 403, saying nothing about any record), then the record is found
through advocacy.selectors (404 and one denial row outside the member's agency). Every read
of an episode is audited; every write goes through advocacy.services."""
