"""Django admin for superusers (support and data fixes); people use the clinic pages."""

from django.contrib import admin

from triage.models import Action, AgendaItem, Attendance, CaseDiscussion, Clinic, Meeting


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "kind", "cadence", "starts_at", "active")
    list_filter = ("partnership", "kind", "cadence", "active")
    filter_horizontal = ("agencies",)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ("case", "added_by", "removed_by")


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("clinic", "held_on", "starts_at", "status")
    list_filter = ("status", "clinic__partnership")
    date_hierarchy = "held_on"
    inlines = [AgendaItemInline, AttendanceInline]


@admin.register(CaseDiscussion)
class CaseDiscussionAdmin(admin.ModelAdmin):
    list_display = ("case", "version", "decision", "risk_judgement", "recorded_at")
    list_filter = ("decision", "risk_judgement")
    raw_id_fields = ("case", "meeting", "agenda_item", "recorded_by")


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("description", "case", "owner_agency", "owner", "due_on", "status")
    list_filter = ("status", "owner_agency")
    date_hierarchy = "due_on"
    raw_id_fields = ("case", "discussion", "owner", "completed_by", "created_by")
