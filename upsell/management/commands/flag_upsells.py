"""`manage.py flag_upsells`: run the upsell sweep once (the same job as the Celery beat schedule)."""

from django.core.management.base import BaseCommand

from upsell.sweep import upsell_sweep


class Command(BaseCommand):
    help = "Flag upsell opportunities once and print how many orders were flagged."

    def handle(self, *args, **options):
        result = upsell_sweep()
        self.stdout.write(
            f"Flagged {result.flagged} order(s) as upsell opportunities "
            f"({result.total} flagged in total, {result.cleared} cleared, "
            f"{result.activities} follow-up activit{'y' if result.activities == 1 else 'ies'} created)."
        )
