"""The police daily crime screen: imports, worklist, screening actions, supervisor view."""

app_name = "screening"
urlpatterns = []
