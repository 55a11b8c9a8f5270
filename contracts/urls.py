from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("new/", views.contract_new, name="contract_new"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/cancel/", views.contract_cancel_view, name="contract_cancel"),
    path("portal/", views.portal_contracts, name="portal_contracts"),
]
