"""REST shapes for support episodes, contacts, the referral queue, safety plans and target
hardening. Validation of dates and codes is the services' job; their ValidationErrors
become field-keyed 400s."""
