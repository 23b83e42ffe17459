"""The sections of the case record (classification, orders, outcomes, re-offending…)."""

from django.urls import path

from cases.views import record as record_views

urlpatterns = [
    path("<int:pk>/parties/", record_views.parties, name="parties"),
    path("<int:pk>/record/", record_views.record, name="record"),
    path("<int:pk>/record/edit/", record_views.record_edit, name="record-edit"),
    path("<int:pk>/linked-crimes/", record_views.linked_crimes, name="linked-crimes"),
    path("<int:pk>/orders/", record_views.orders, name="orders"),
    path("<int:pk>/orders/new/", record_views.order_new, name="order-new"),
    path("orders/<int:pk>/decision/", record_views.order_decide, name="order-decide"),
    path("orders/<int:pk>/breaches/new/", record_views.breach_new, name="breach-new"),
    path("<int:pk>/outcomes/", record_views.outcomes, name="outcomes"),
    path("<int:pk>/outcomes/new/", record_views.outcome_new, name="outcome-new"),
    path("<int:pk>/reoffending/", record_views.reoffending, name="reoffending"),
    path("<int:pk>/reoffending/new/", record_views.reoffending_new, name="reoffending-new"),
    path("<int:pk>/closure/", record_views.closure, name="closure"),
    path("<int:pk>/closure/reopen/", record_views.reopen, name="reopen"),
    path("<int:pk>/timeline/", record_views.timeline, name="timeline"),
    path("<int:pk>/sharing/", record_views.sharing, name="sharing"),
]
