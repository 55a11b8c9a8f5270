from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("helpdesk/", include("helpdesk.urls")),
    path("sales/", include("sales.urls")),
    path("timesheets/", include("timesheets.urls")),
    path("projects/", include("projects.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("reports/", include("reports.urls")),
    path("contracts/", include("contracts.urls")),
    path("portal/", include("core.portal_urls")),
    path("", include("core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Our error pages (core/error_pages.py); under DEBUG its middleware serves the same pages.
handler403 = "core.error_pages.handler403"
handler404 = "core.error_pages.handler404"
handler500 = "core.error_pages.handler500"
