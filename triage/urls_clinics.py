"""Filled in by the clinics work."""

urlpatterns = []
