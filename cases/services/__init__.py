"""Every write to case data, one module per topic: keyword-only functions, one transaction,
one audit row each."""
