"""The sections of the case record (classification, orders, outcomes, re-offending…)."""

urlpatterns = []
