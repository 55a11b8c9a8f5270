from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .auth import token_for
from .login_throttle import blocked_message, client_address, login_blocked, login_failed, login_succeeded
from .models import ROLE_NAMES


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ObtainTokenView(ObtainAuthToken):
    """POST {username, password} → {token}. Rate-limited like the browser sign-in; an expired
    token is replaced by a new one."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        auth=[],
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, 400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT},
    )
    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", "")) if hasattr(request.data, "get") else ""
        address = client_address(request)
        if login_blocked(username=username, address=address):
            return Response({"detail": blocked_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            login_failed(username=username, address=address)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        login_succeeded(username=username)
        return Response({"token": token_for(user).key})


class RevokeTokenView(APIView):
    """POST → 204: the token used for this request stops working at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, Token):
            request.auth.delete()
        else:
            Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLE_NAMES), read_only=True)


class MeView(APIView):
    """The signed-in user: id, names, e-mail and roles."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
