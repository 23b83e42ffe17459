from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.permissions import IsActiveMember
from accounts.views import accessibility
from cases.views.core import my_work
from config.health import healthz

# The schema and its reference page are for signed-in members only (two-factor verified
# sessions or API tokens), like the API itself. The reference page sends anonymous browsers
# to sign in; the schema answers 401 like every API endpoint.
api_schema = SpectacularAPIView.as_view(permission_classes=[IsActiveMember])
# Swagger UI sets inline style attributes; allow them on this page only.
api_docs = login_required(
    csp_update({"style-src": ["'unsafe-inline'"]})(
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", permission_classes=[IsActiveMember]
        )
    )
)

urlpatterns = [
    path("", my_work, name="home"),
    path("accessibility/", accessibility, name="accessibility"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls.core")),
    path("screening/", include("cases.urls.screening")),
    path("audit/", include("audit.urls")),
    path("clinics/", include("triage.urls.clinics")),
    path("risk/", include("risk.urls")),
    path("advocacy/", include("advocacy.urls")),
    path("interventions/", include("interventions.urls")),
    path("", include("reporting.urls.core")),
    path("imports/", include("imports.urls")),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("api/schema/", api_schema, name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("django-admin/", admin.site.urls),
]

handler404 = "config.errors.not_found"
handler403 = "config.errors.forbidden"
handler500 = "config.errors.server_error"
