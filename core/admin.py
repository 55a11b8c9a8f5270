"""Django admin for the portal's own models: users with their roles, sequences, audit events."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .models import Sequence, TaskRecord, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the application (numbers, audit trail): look, never touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Child rows shown on their parent's page, never changed in the admin (the app's services
    write them). Whoever may view the parent (`parent_view_permission`) sees them: the roles hold
    no permission on the child rows themselves."""

    parent_view_permission = ""
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self.parent_view_permission)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "email", "role_list", "customer_list", "is_active", "is_staff")
    list_filter = ("groups", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email", "customers__name")
    ordering = ("username",)
    filter_horizontal = ("groups", "user_permissions")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "customers")

    def get_readonly_fields(self, request, obj=None):
        # Roles are given through groups; only a superuser hands out superuser or loose permissions.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        # A superuser's account (password, groups, active flag) is changed by superusers only:
        # an admin-role user could otherwise set its password and sign in as it.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="name", ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description="roles")
    def role_list(self, obj):
        return ", ".join(obj.roles) or "—"

    @admin.display(description="portal of")
    def customer_list(self, obj):
        return ", ".join(c.name for c in obj.customers.all()) or "—"


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    list_display = ("code", "year", "prefix", "padding", "next_number")
    list_filter = ("code", "year")
    search_fields = ("code", "prefix")


@admin.register(TaskRecord)
class TaskRecordAdmin(ReadOnlyAdmin):
    """Background jobs: waiting for the task queue, queued, running, retried (runs > 1), done."""

    list_display = ("created_at", "name", "subject", "state", "runs", "publish_attempts", "last_error")
    list_filter = ("state", "name")
    search_fields = ("task_id", "subject")
    date_hierarchy = "created_at"


# DRF registers API tokens on a proxy model whose permissions no role holds; the admin role
# holds those of the token itself, so the token admin asks for those.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    list_select_related = ("user",)

    def _allowed(self, request, action):
        return request.user.is_active and request.user.has_perm(f"authtoken.{action}_token")

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view") or self._allowed(request, "change")

    def has_add_permission(self, request):
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete")

    def has_module_permission(self, request):
        return self.has_view_permission(request)
