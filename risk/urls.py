from django.urls import path

from risk import views

app_name = "risk"
urlpatterns = [
    path("", views.instrument_list, name="instrument-list"),
    path("instruments/new/", views.instrument_new, name="instrument-new"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument-detail"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="instrument-edit"),
    path("cases/<int:case_pk>/", views.case_risk, name="case-risk"),
    path("cases/<int:case_pk>/new/", views.assessment_start, name="assessment-start"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/answers/", views.assessment_answers, name="assessment-answers"),
    path("assessments/<int:pk>/override/", views.assessment_override, name="assessment-override"),
    path(
        "assessments/<int:pk>/review-date/",
        views.assessment_review_date,
        name="assessment-review-date",
    ),
]
