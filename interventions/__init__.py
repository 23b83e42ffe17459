"""Perpetrator and health interventions (fACT: four to six one-hour sessions): programmes
as data, enrolments, sessions and attendance, and the clinical compartment."""
