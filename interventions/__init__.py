"""Perpetrator and health interventions (fACT: four to six one-hour sessions), attendance
and psychometric measures. Arrives with its own issue."""
