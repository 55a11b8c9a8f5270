from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

STAFF_ROLES = ("agent", "sales", "accountant", "admin")


@login_required
def home(request):
    # Portal contacts land on their portal; staff get the tiles of their role.
    if request.user.has_role("customer") and not request.user.has_role(*STAFF_ROLES):
        return redirect("portal:home")
    return render(request, "home.html")
