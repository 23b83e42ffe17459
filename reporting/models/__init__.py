"""Reporting's models by topic; Django discovers them through this package."""

from reporting.models.inputs import LocalArea, StaffFte, TrainingAudience, TrainingEvent
from reporting.models.notifications import Notification, NotificationKind, ReminderSent
from reporting.models.reports import (
    ApprovalStatus,
    PseudonymKey,
    ReportFigure,
    ReportFile,
    ReportKind,
    ReportRun,
)

__all__ = [
    "ApprovalStatus",
    "LocalArea",
    "Notification",
    "NotificationKind",
    "PseudonymKey",
    "ReminderSent",
    "ReportFigure",
    "ReportFile",
    "ReportKind",
    "ReportRun",
    "StaffFte",
    "TrainingAudience",
    "TrainingEvent",
]
