"""Browser URLs of the upsell list and activities (included by sales/urls.py)."""

urlpatterns: list = []
