"""The caller's own notifications: list (``?unread=true``), mark one read, mark all read."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.pagination import CappedPagination
from reporting.models import Notification
from reporting.selectors.notifications import get_notification_or_404, notifications_for
from reporting.serializers.notifications import MarkedReadSerializer, NotificationSerializer
from reporting.services.notifications import notification_mark_all_read, notification_mark_read

TRUE_WORDS = {"1", "true", "yes"}


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Notifications addressed to the caller in the partnership they act in, newest first.
    Another person's notification answers 404."""

    serializer_class = NotificationSerializer
    pagination_class = CappedPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        unread = self.request.query_params.get("unread", "").lower() in TRUE_WORDS
        return notifications_for(self.request.membership, unread_only=unread)

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, required=False, description="Only unread.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (already read: unchanged)."""
        notification = get_notification_or_404(request.membership, pk)
        notification = notification_mark_read(
            actor=request.user, membership=request.membership, notification=notification
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: MarkedReadSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification read; answers how many were marked."""
        count = notification_mark_all_read(actor=request.user, membership=request.membership)
        return Response({"marked_read": count})


def register(router):
    """Registers this area's endpoints on the API router."""
    router.register("notifications", NotificationViewSet, basename="notification")
