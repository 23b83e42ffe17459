"""Every read of case data for a request, scoped to the acting membership, one module per
topic (core, people, person_record, referrals, record, reference, screening)."""
