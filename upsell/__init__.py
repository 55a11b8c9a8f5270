"""The upsell room: prepaid hours running out. Owns the sweep (flags orders and lines, one
follow-up per opportunity; `manage.py flag_upsells` and the Celery beat job), the burn-rate
forecast, the follow-up activities (model `Activity`, table `sales_activity`), the upsell list,
"My activities" and /api/v1/upsells/.

May import core, sales and timesheets; contracts (above it) creates follow-ups through
`upsell.services.activity_create`. Its screens keep their `sales:` URL names (config/urls.py
mounts upsell.urls in the sales namespace) and its templates their `sales/` names; the sales
home links its list through core.links ("upsell.list").
"""
