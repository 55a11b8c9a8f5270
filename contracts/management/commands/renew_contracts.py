"""`manage.py renew_contracts --date YYYY-MM-DD`: the contracts' period start for that day (the
same code as the Celery beat job; without --date, today in the portal's time zone)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contracts.services import contracts_renew


class Command(BaseCommand):
    help = "Open and close contract periods for a day (default: today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        day = timezone.localdate()
        if options.get("date"):
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be a date as YYYY-MM-DD.") from None
        result = contracts_renew(day=day)
        self.stdout.write(f"{day}: opened {result.opened} period(s), closed {result.closed} period(s).")
