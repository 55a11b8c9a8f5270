"""JSON API of the ticket conversation: /api/v1/tickets/{id}/messages/ (API.md).

Staff read every message of the tickets they may see and post replies and notes on their teams'
tickets; a portal user reads and posts the public messages of their own customers' tickets only.
Files go up as multipart `attachments` (repeat the field for several files).
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import policy
from core.api import PolicyPermission

from . import conversation_selectors as selectors
from . import conversation_services as services
from .models import Attachment, Message


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "url"]

    def get_url(self, attachment) -> str:
        return reverse("helpdesk:attachment_download", args=[attachment.pk])


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    author_name = serializers.SerializerMethodField()
    internal = serializers.BooleanField(
        required=False, default=False, help_text="Staff only: an internal note, never shown to customers."
    )
    attachments = AttachmentSerializer(
        many=True, read_only=True, help_text="To attach files, POST multipart with `attachments` file fields."
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "author",
            "author_name",
            "body",
            "internal",
            "from_customer",
            "created_at",
            "attachments",
        ]
        read_only_fields = ["from_customer", "created_at"]
        extra_kwargs = {"body": {"required": False, "allow_blank": True}}

    def get_author_name(self, message) -> str:
        return str(message.author) if message.author else ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not selectors.user_is_staff(request.user):
            data.pop("internal", None)  # customers only ever read public messages
        return data


class TicketMessageViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Messages of one ticket, oldest first."""

    serializer_class = MessageSerializer
    # Staff and portal users; which tickets each reaches is the selectors' (404 for the rest).
    permission_classes = [PolicyPermission]
    policy_action = "ticket.converse"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = None

    def _ticket(self):
        if not hasattr(self, "_ticket_cache"):
            self._ticket_cache = selectors.ticket_get_readable(
                user=self.request.user, ticket_id=self.kwargs["ticket_pk"]
            )
        return self._ticket_cache

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no ticket in the URL
            return Message.objects.none()
        return selectors.ticket_messages(ticket=self._ticket(), user=self.request.user)

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(request={"multipart/form-data": MessageSerializer, "application/json": MessageSerializer})
    def create(self, request, *args, **kwargs):
        ticket = self._ticket()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        internal = serializer.validated_data.get("internal", False)
        if internal and not selectors.user_is_staff(request.user):
            raise serializers.ValidationError({"internal": ["Customers cannot write internal notes."]})
        policy.check(request.user, "ticket.reply", ticket)
        files = request.FILES.getlist("attachments") if hasattr(request, "FILES") else []
        message = services.message_post(
            ticket=ticket,
            author=request.user,
            body=serializer.validated_data.get("body", ""),
            internal=internal,
            files=files,
        )
        message = Message.objects.select_related("author").prefetch_related("attachments").get(pk=message.pk)
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register(r"tickets/(?P<ticket_pk>\d+)/messages", TicketMessageViewSet, basename="ticket-message")
