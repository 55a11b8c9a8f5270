from django.urls import path

from . import conversation_views, timesheet_views, views

app_name = "helpdesk"

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("teams/<int:team_id>/", views.pipeline, name="pipeline"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("tickets/item-field/", views.ticket_item_field, name="ticket_item_field"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/move/", views.ticket_move, name="ticket_move"),
    path("tickets/<int:ticket_id>/timesheets/", timesheet_views.ticket_timesheets, name="ticket_timesheets"),
    path(
        "tickets/<int:ticket_id>/messages/",
        conversation_views.ticket_message_post,
        name="ticket_message_post",
    ),
    path(
        "attachments/<int:attachment_id>/", conversation_views.attachment_download, name="attachment_download"
    ),
    path(
        "tickets/<int:ticket_id>/timesheets/<int:line_id>/edit/",
        timesheet_views.ticket_timesheet_edit,
        name="ticket_timesheet_edit",
    ),
    path(
        "tickets/<int:ticket_id>/timesheets/<int:line_id>/delete/",
        timesheet_views.ticket_timesheet_delete,
        name="ticket_timesheet_delete",
    ),
]
