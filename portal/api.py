"""JSON API of the portal: /api/v1/customers/{id}/portal_users/ (API.md)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import PolicyMixin
from core.models import User
from sales.models import Customer

from . import services


class PortalUserSerializer(serializers.ModelSerializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
        help_text="Optional: without it an invitation e-mail with a set-password link is sent.",
    )

    class Meta:
        model = User
        fields = ["id", "username", "email", "password", "first_name", "last_name", "is_active"]
        read_only_fields = ["id", "first_name", "last_name", "is_active"]


class CustomerPortalUserViewSet(
    PolicyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The portal users of one customer. Staff who manage customers list, create and deactivate."""

    serializer_class = PortalUserSerializer
    lookup_value_regex = r"\d+"
    action_rules = dict.fromkeys(("list", "retrieve", "create", "deactivate"), "portal_user.manage")

    def _customer(self) -> Customer:
        return get_object_or_404(Customer, pk=self.kwargs["customer_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no customer in the URL
            return User.objects.none()
        return self._customer().portal_users.order_by("username")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.portal_user_create(
            customer=self._customer(),
            username=data["username"],
            email=data["email"],
            password=data.get("password") or None,
            by=self.request.user,
        )

    @extend_schema(request=None, responses=PortalUserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, customer_pk=None, pk=None):
        user = services.portal_user_deactivate(user=self.get_object(), by=request.user)
        return Response(self.get_serializer(user).data, status=status.HTTP_200_OK)


def register(router) -> None:
    router.register(
        r"customers/(?P<customer_pk>\d+)/portal_users",
        CustomerPortalUserViewSet,
        basename="customer-portal-user",
    )
