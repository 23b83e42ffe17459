from triage import urls_actions, urls_clinics, urls_minutes

app_name = "triage"
urlpatterns = [*urls_clinics.urlpatterns, *urls_actions.urlpatterns, *urls_minutes.urlpatterns]
