from django.urls import path

from interventions.views import compliance as compliance_views
from interventions.views import dashboard as dashboard_views
from interventions.views import eligibility as eligibility_views
from interventions.views import enrolments as enrolment_views
from interventions.views import measures as measure_views
from interventions.views import programmes as programme_views
from interventions.views import reports as report_views
from interventions.views import sessions as session_views

app_name = "interventions"
urlpatterns = [
    path("", enrolment_views.caseload, name="caseload"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("cases/<int:case_pk>/", enrolment_views.case_interventions, name="case-interventions"),
    path("cases/<int:case_pk>/refer/", enrolment_views.enrolment_refer, name="enrolment-refer"),
    path("enrolments/<int:pk>/", enrolment_views.enrolment_detail, name="enrolment-detail"),
    path(
        "enrolments/<int:pk>/allocate/",
        enrolment_views.enrolment_allocate,
        name="enrolment-allocate",
    ),
    path(
        "enrolments/<int:pk>/consent/", enrolment_views.enrolment_consent, name="enrolment-consent"
    ),
    path(
        "enrolments/<int:pk>/withdraw/",
        enrolment_views.enrolment_withdraw,
        name="enrolment-withdraw",
    ),
    path(
        "enrolments/<int:pk>/eligibility/",
        eligibility_views.enrolment_eligibility,
        name="enrolment-eligibility",
    ),
    path("enrolments/<int:pk>/sessions/new/", session_views.session_new, name="session-new"),
    path("enrolments/<int:pk>/measures/new/", measure_views.measure_new, name="measure-new"),
    path(
        "sessions/<int:pk>/reschedule/", session_views.session_reschedule, name="session-reschedule"
    ),
    path("sessions/<int:pk>/cancel/", session_views.session_cancel, name="session-cancel"),
    path(
        "sessions/<int:pk>/attendance/", session_views.session_attendance, name="session-attendance"
    ),
    path("sessions/<int:pk>/flag/", compliance_views.session_flag, name="session-flag"),
    path("enrolments/<int:pk>/report/", report_views.enrolment_report, name="end-report"),
    path(
        "enrolments/<int:pk>/report/send/",
        report_views.enrolment_report_send,
        name="end-report-send",
    ),
    path("enrolments/<int:pk>/report.pdf", report_views.end_report_pdf, name="end-report-pdf"),
    path("programmes/", programme_views.programme_list, name="programme-list"),
    path("programmes/new/", programme_views.programme_new, name="programme-new"),
    path("programmes/<int:pk>/", programme_views.programme_edit, name="programme-edit"),
]
