"""The actions tracker (included under /clinics/, namespace triage)."""

from django.urls import path

from triage.views import actions as views_actions

urlpatterns = [
    path("actions/mine/", views_actions.my_actions, name="my-actions"),
    path("actions/agency/", views_actions.agency_actions, name="actions-agency"),
    path("actions/", views_actions.all_actions, name="actions-all"),
    path("actions/<int:pk>/", views_actions.action_detail, name="actions-detail"),
    path("actions/<int:pk>/complete/", views_actions.action_complete, name="actions-complete"),
    path("actions/<int:pk>/cancel/", views_actions.action_cancel, name="actions-cancel"),
    path("actions/<int:pk>/reassign/", views_actions.action_reassign, name="actions-reassign"),
    path("actions/<int:pk>/due-date/", views_actions.action_due_date, name="actions-due-date"),
    path("cases/<int:case_pk>/actions/", views_actions.case_actions, name="actions-case"),
    path(
        "cases/<int:case_pk>/actions/new/", views_actions.case_action_new, name="actions-case-new"
    ),
]
