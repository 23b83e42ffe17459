from django.urls import path

from interventions import views

app_name = "interventions"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("cases/<int:case_pk>/", views.case_interventions, name="case-interventions"),
    path("cases/<int:case_pk>/refer/", views.enrolment_refer, name="enrolment-refer"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment-detail"),
    path("enrolments/<int:pk>/allocate/", views.enrolment_allocate, name="enrolment-allocate"),
    path("enrolments/<int:pk>/consent/", views.enrolment_consent, name="enrolment-consent"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment-withdraw"),
    path("enrolments/<int:pk>/sessions/new/", views.session_new, name="session-new"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session-reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session-attendance"),
]
