"""REST shapes for programmes, enrolments and sessions. Validation of dates and codes is the
services' job; their ValidationErrors become field-keyed 400s. Only members of the agency
delivering an enrolment ever get these shapes (the API is the compartment's)."""
