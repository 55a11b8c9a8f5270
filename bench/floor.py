"""The framework floor of the scale benchmark: a bare authenticated DRF endpoint doing one INSERT.

Served only by the benchmark's gunicorn (settings `bench.settings`, urls `bench.urls`), never by
the portal. The same INSERT is what the load client sends over psycopg for the database floor.
"""

from django.db import connection
from rest_framework.response import Response
from rest_framework.views import APIView

FLOOR_INSERT = (
    "INSERT INTO timesheets_timesheetline (created_at, updated_at, date, description, hours, "
    "employee_id, project_id) VALUES (now(), now(), current_date, 'floor', 1, %s, %s) RETURNING id"
)


class FloorView(APIView):
    """POST {"project": id}: insert one timesheet row for the caller, answer its id (201)."""

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_INSERT, [request.user.pk, int(request.data["project"])])
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)
