"""The OpenAPI schema's own rules (drf-spectacular's DEFAULT_SCHEMA_CLASS): every operation
documents the error statuses it can answer, in API.md's error format, and has a summary and a
description of its own (which roles may call it included).

The fuzz run (tests/fuzz/test_api_fuzz.py) holds every answer to this schema: an undocumented
status, content type or body fails it.
"""

import inspect

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """API.md's error format: `detail` says what is wrong with the request as a whole; a refused
    field is named with its messages instead (`{"hours": ["..."]}`, nested for lines)."""

    detail = serializers.CharField(required=False, help_text="What is wrong, when no one field is.")
    code = serializers.CharField(required=False, help_text="A stable code for some conflicts.")


# Each error status: when an operation can answer it.
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `detail`, or each refused field with its messages.",
    "401": "No valid token or session (a token expires after API_TOKEN_TTL_HOURS).",
    "403": "The caller's role may not do this.",
    "404": "No such object among those the caller may see (or a page past the last).",
    "409": "The object's state forbids the action (e.g. posting a posted invoice).",
}
# Operation names of the router's standard actions; custom actions say their own name.
STANDARD_ACTIONS = {
    "list": "List {plural}",
    "create": "Create {a} {singular}",
    "retrieve": "Get one {singular}",
    "update": "Replace {a} {singular}",
    "partial_update": "Change some fields of {a} {singular}",
    "destroy": "Delete {a} {singular}",
}
NOUNS = {"uom": ("unit of measure", "units of measure"), "tax": ("tax", "taxes")}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AutoSchema(SpectacularAutoSchema):
    def _nouns(self) -> tuple[str, str]:
        basename = getattr(self.view, "basename", None) or self.path.strip("/").split("/")[-1]
        if basename in NOUNS:
            return NOUNS[basename]
        singular = basename.replace("-", " ").replace("_", " ")
        plural = singular[:-1] + "ies" if singular.endswith("y") else singular + "s"
        return singular, plural

    def get_summary(self) -> str | None:
        action = getattr(self.view, "action", None)
        if action is None:  # a plain APIView: its own docstring's first sentence
            doc = inspect.cleandoc(self.view.__class__.__dict__.get("__doc__") or "")
            return doc.split("\n\n")[0].replace("\n", " ").split(". ")[0].rstrip(".") or None
        singular, plural = self._nouns()
        if action in STANDARD_ACTIONS:
            article = "an" if singular[0] in "aeiou" else "a"
            return STANDARD_ACTIONS[action].format(a=article, singular=singular, plural=plural)
        words = action.replace("_", " ").removesuffix(" invoice")
        return f"{singular.capitalize()}: {words}"

    def get_description(self) -> str:
        """The action's own docstring, else its summary; the view's own docstring (not one
        inherited from a mixin); who may call it."""
        action = getattr(self.view, "action", None)
        handler = getattr(self.view, action or self.method.lower(), None)
        action_doc = inspect.getdoc(handler) if _defined_in_project(handler) else ""
        view_doc = self.view.__class__.__dict__.get("__doc__") or ""
        parts = [action_doc or f"{self.get_summary()}.", inspect.cleandoc(view_doc)]
        roles = self._roles()
        if roles:
            parts.append(f"Roles: {', '.join(roles)} (and superusers).")
        return "\n\n".join(dict.fromkeys(part for part in parts if part))

    def _roles(self) -> tuple[str, ...]:
        try:
            return tuple(getattr(self.view, "allowed_roles", ()) or ())
        except AttributeError:
            return ()

    def _is_public(self) -> bool:
        permissions = self.view.get_permissions()
        return all(isinstance(permission, AllowAny) for permission in permissions)

    def error_statuses(self) -> list[str]:
        statuses = []
        is_list = getattr(self.view, "action", None) == "list" or self._is_list_view()
        has_path_ids = "{" in self.path
        if self.method not in SAFE_METHODS or (is_list and self._is_paginated()):
            statuses.append("400")
        if not self._is_public():
            statuses += ["401", "403"]
        if has_path_ids or (is_list and self._is_paginated()):
            statuses.append("404")
        action = getattr(self.view, "action", None)
        custom_read = self.method == "GET" and action not in (None, "list", "retrieve")
        if (self.method not in SAFE_METHODS or custom_read) and not self._is_public():
            statuses.append("409")
        return statuses

    def _is_paginated(self) -> bool:
        return getattr(self.view, "pagination_class", None) is not None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self.error_statuses():
            if status not in responses:
                responses[status] = self._get_response_for_code(ErrorSerializer, status, ["application/json"])
                responses[status]["description"] = ERROR_DESCRIPTIONS[status]
        return responses


def _defined_in_project(function) -> bool:
    module = getattr(function, "__module__", "") or ""
    return bool(function) and not module.startswith(("rest_framework", "drf_spectacular"))
