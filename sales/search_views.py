"""The customer search behind every customer field (sales.form_fields): an HTML fragment of
at most CUSTOMER_SEARCH_LIMIT options, fetched by static/js/combobox.js as a person types."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import policy

from .selectors import customers_matching

MAX_TERM_LENGTH = 100


@require_GET
@policy.permission_required("customer.view")
def customer_search(request):
    """`?q=` part of a name, e-mail or VAT number; only the customers the user may see."""
    term = request.GET.get("q", "")[:MAX_TERM_LENGTH].replace("\x00", "")
    customers = customers_matching(policy.visible(request.user, "customer"), term)
    return render(request, "sales/partials/customer_options.html", {"customers": customers, "term": term})
