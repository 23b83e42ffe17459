from django.urls import path

from cases import people_views

urlpatterns = [
    path("<int:pk>/parties/new/", people_views.party_add, name="party-add"),
]
