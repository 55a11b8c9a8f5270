from django.contrib.auth.models import AbstractUser
from django.db import models, transaction

ROLE_NAMES = ("agent", "sales", "accountant", "admin", "customer")
# Every role but the portal customer: people of the company, who see every customer's records.
STAFF_ROLES = ("agent", "sales", "accountant", "admin")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in: staff in one or more roles, or a customer's portal contact."""

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def roles(self) -> list[str]:
        # Cached per instance: navigation and permission checks ask many times per request.
        if not hasattr(self, "_roles_cache"):
            self.remember_roles(g.name for g in self.groups.all())
        return self._roles_cache

    def remember_roles(self, group_names) -> None:
        """Cache the roles from the user's group names (read along with the user, e.g. by the
        API token's query)."""
        names = set(group_names)
        self._roles_cache = [r for r in ROLE_NAMES if r in names]

    def has_role(self, *roles: str) -> bool:
        # A superuser may do everything staff may (lists that include the portal role too), but
        # is nobody's portal contact: a customer-only check stays False.
        if self.is_superuser and any(r != "customer" for r in roles):
            return True
        return any(r in self.roles for r in roles)


class Sequence(models.Model):
    """A gapless number counter (SO, INV/2026, RINV/2026). Locked row by row at assignment."""

    code = models.CharField(max_length=40)
    year = models.PositiveIntegerField(default=0, help_text="0 for sequences that never restart.")
    prefix = models.CharField(max_length=40)
    padding = models.PositiveSmallIntegerField(default=5)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="sequence_code_year_unique"),
            models.CheckConstraint(condition=models.Q(next_number__gte=1), name="sequence_next_positive"),
        ]

    def __str__(self):
        return f"{self.prefix}{self.year or ''} → {self.next_number}"

    @classmethod
    def next_value(cls, *, code: str, prefix: str, year: int = 0, padding: int = 5) -> str:
        """Take the next number. Must run inside the caller's transaction so a rollback frees it."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Sequence.next_value must run inside a transaction")
        cls.objects.get_or_create(code=code, year=year, defaults={"prefix": prefix, "padding": padding})
        seq = cls.objects.select_for_update().get(code=code, year=year)
        number = seq.next_number
        seq.next_number = number + 1
        seq.save(update_fields=["next_number"])
        return f"{seq.prefix}{str(number).zfill(seq.padding)}"


class TaskRecord(models.Model):
    """One background job (a Celery task sent by a worker-mode portal), from the moment it is
    asked for: its enqueue survives a broker that is down (PENDING until the broker takes it;
    beat sends it again), and its runs are counted, so a job redelivered after a worker died, or
    retried, shows it (core/background.py). `progress` holds what the job has already done, for
    idempotent re-runs (batch invoicing: the invoice of each order) and its status page."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the task queue"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        RETRYING = "retrying", "Will be retried"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    task_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    # What the job is about, e.g. "invoicing.invoice:12" (to show its state on that object's page).
    subject = models.CharField(max_length=100, blank=True, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    publish_attempts = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(
        default=0, help_text="Deliveries to a worker (> 1: redelivered or retried)."
    )
    last_error = models.TextField(blank=True)
    progress = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="taskrecord_state_idx")]

    def __str__(self):
        return f"{self.name}[{self.task_id}] {self.state}"
