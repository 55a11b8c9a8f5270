"""The JSON API (v1). Each app adds its viewsets to the one router in its `api.register`."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

import contracts.api
import helpdesk.api
import invoicing.api
import portal.api
import projects.api
import sales.api
import timesheets.api
import timesheets.timer_api
import upsell.api
from core import api_views

router = DefaultRouter()
for app_api in (
    sales.api,
    upsell.api,
    projects.api,
    timesheets.api,
    timesheets.timer_api,
    helpdesk.api,
    invoicing.api,
    contracts.api,
    portal.api,
):
    app_api.register(router)

urlpatterns = [
    path("auth/token/", api_views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", api_views.RevokeTokenView.as_view(), name="api-token-revoke"),
    path("users/me/", api_views.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
