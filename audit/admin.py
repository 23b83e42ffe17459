from django.contrib import admin

from audit.models import AccessEvent, BreakGlassGrant


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor_email", "agency_name", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_email", "object_repr", "request_id"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "case", "granted_at", "expires_at"]
