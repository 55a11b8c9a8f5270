"""Browser pages of the stock: the goods list and a product's stock page, where admins and sales
receive goods (quantity, date, reference, note) and everyone with access reads the moves."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core import policy
from core.errors import DomainError
from core.views import apply_domain_error
from sales.models import Product

from . import selectors
from .forms import StockReceiptForm
from .stock_services import stock_receive, user_may_receive_stock


@policy.permission_required("stock.view")
@require_GET
def stock_list(request):
    return render(request, "projects/stock_list.html", {"products": selectors.goods_in_stock()})


@policy.permission_required("stock.view")
@require_http_methods(["GET", "POST"])
def product_stock(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("uom"), pk=pk, type=Product.Type.GOODS)
    may_receive = user_may_receive_stock(request.user)
    form = StockReceiptForm(initial={"date": timezone.localdate()})
    if request.method == "POST":
        policy.check(request.user, "stock.receive")  # a refused receipt is a 403 with its reason
        form = StockReceiptForm(request.POST)
        if form.is_valid():
            try:
                move = stock_receive(product=product, user=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                ref = f" ({move.reference})" if move.reference else ""
                messages.success(
                    request,
                    f"Received {move.quantity} {product.uom} of {product.name}{ref}: "
                    f"{product.qty_on_hand} {product.uom} on hand.",
                )
                return redirect("projects:product_stock", pk=product.pk)
    context = {
        "product": product,
        "form": form if may_receive else None,
        "moves": selectors.product_stock_moves(product=product),
    }
    return render(request, "projects/product_stock.html", context, status=400 if form.errors else 200)
