"""Report pages: filters from the URL, a chart beside the table, `?format=csv` for a download."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import policy

from .access import REPORTS, reports_visible_to, sees_everyones_hours
from .csv_export import csv_response
from .filters import ReportFilterForm
from .pages import PAGES, TABLE_ROWS


@policy.permission_required("report.hours")
@require_GET
def index(request):
    pages = [PAGES[slug] for slug in reports_visible_to(request.user)]
    return render(request, "reports/index.html", {"pages": pages})


def report_view(slug: str):
    page = PAGES[slug]

    @policy.permission_required("report.hours")
    @require_GET
    def view(request):
        policy.check(request.user, REPORTS[slug])
        form = ReportFilterForm(request.GET, default_months=page.default_months)
        own_hours_only = not sees_everyones_hours(request.user)
        context = {
            "page": page,
            "pages": [PAGES[s] for s in reports_visible_to(request.user)],
            "form": form,
            "own_hours_only": own_hours_only,
            "table_rows": TABLE_ROWS,
        }
        if not form.is_valid():
            if request.GET.get("format") == "csv":
                errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
                return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
            return render(request, f"reports/{slug}.html", context, status=400)
        filters = form.filters(employee_id=request.user.pk if own_hours_only else None)
        context.update(page.build(filters, request.GET))
        if request.GET.get("format") == "csv":
            name = f"{slug}-{filters.date_from or 'start'}-{filters.date_to}.csv"
            return csv_response(name, context["csv_header"], context["csv_rows"])
        params = request.GET.copy()
        params.pop("format", None)
        context["querystring"] = params.urlencode()
        context["filters"] = filters
        return render(request, f"reports/{slug}.html", context)

    view.__name__ = f"{slug}_report"
    return view
