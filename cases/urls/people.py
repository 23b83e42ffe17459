from django.urls import path

from cases.views import people as people_views

urlpatterns = [
    path("<int:pk>/parties/new/", people_views.party_add, name="party-add"),
    path("<int:pk>/parties/new/matches/", people_views.party_match, name="party-match"),
    path("people/", people_views.person_list, name="person-list"),
    path("people/<int:pk>/", people_views.person_detail, name="person-detail"),
    path("people/merge/", people_views.person_merge, name="person-merge"),
    path("people/merge/confirm/", people_views.person_merge_confirm, name="person-merge-confirm"),
]
