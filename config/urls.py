from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

import invoicing.batch_urls
import projects.urls
import sales.urls
import timesheets.task_urls
import upsell.urls

# Screens that moved up to another room keep the URL names and paths they had: the upsell
# room's in `sales:`, batch invoicing's and the task page's time lines in `projects:`.
sales_urls = ([*sales.urls.urlpatterns, *upsell.urls.urlpatterns], sales.urls.app_name)
projects_urls = (
    [*projects.urls.urlpatterns, *timesheets.task_urls.urlpatterns, *invoicing.batch_urls.urlpatterns],
    projects.urls.app_name,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("helpdesk/", include("helpdesk.urls")),
    path("sales/", include(sales_urls)),
    path("timesheets/", include("timesheets.urls")),
    path("projects/", include(projects_urls)),
    path("invoicing/", include("invoicing.urls")),
    path("reports/", include("reports.urls")),
    path("contracts/", include("contracts.urls")),
    path("portal/", include("portal.urls")),
    path("", include("core.urls")),
    # Browsers ask for /favicon.ico where our <link rel=icon> is missing (the admin, raw files);
    # resolved per request, as a hashed static name exists only once collectstatic has run.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"))),
]

# The media root holds private files (invoice PDFs, signatures, ticket attachments): it is never
# served as a directory, only file by file through views that check who may read each one.

# Our error pages (core/error_pages.py); under DEBUG its middleware serves the same pages.
handler403 = "core.error_pages.handler403"
handler404 = "core.error_pages.handler404"
handler500 = "core.error_pages.handler500"
