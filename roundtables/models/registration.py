"""Registration for sessions: each session's policy (seats, quotas, window), and people's registrations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roundtables.models.agenda import Session
from roundtables.registration import codes

OPEN_SEATS = "open"


class RegistrationPolicy(models.Model):
    """How a session takes registrations: seats, quotas per constituency, who, when, what is asked."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="registration_policy", verbose_name=_("session")
    )
    total_seats = models.PositiveIntegerField(_("total seats"))
    eligible_constituencies = models.JSONField(
        _("who may register"), default=list, blank=True, help_text=_("Constituencies; empty means everyone.")
    )
    opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    ask_accessibility = models.BooleanField(_("ask about accessibility needs"), default=True)
    ask_visa_letter = models.BooleanField(_("ask whether a visa support letter is needed"), default=True)
    ask_dietary = models.BooleanField(_("ask about dietary needs"), default=True)

    class Meta:
        verbose_name = _("registration policy")
        verbose_name_plural = _("registration policies")

    def __str__(self):
        return f"{self.session}: {self.total_seats}"

    def quotas(self):
        """{constituency: seats} for the constituencies with seats of their own."""
        return {quota.constituency: quota.seats for quota in self.seat_quotas.all()}

    def open_seats(self):
        """Seats not reserved for a constituency: anyone eligible may take them."""
        return max(0, self.total_seats - sum(self.quotas().values()))


class SeatQuota(models.Model):
    policy = models.ForeignKey(RegistrationPolicy, on_delete=models.CASCADE, related_name="seat_quotas")
    constituency = models.CharField(_("constituency"), max_length=32)
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        ordering = ["constituency"]
        constraints = [models.UniqueConstraint(fields=["policy", "constituency"], name="unique_seat_quota")]

    def __str__(self):
        return f"{self.constituency}: {self.seats}"


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("person")
    )
    constituency = models.CharField(_("constituency at registration"), max_length=32)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # Which seats a confirmed registration holds: a constituency's quota, or "open".
    seat_pool = models.CharField(_("seats"), max_length=32, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=500, blank=True)
    visa_letter_needed = models.BooleanField(_("visa support letter needed"), null=True, blank=True)
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    checkin_code = models.CharField(_("check-in code"), max_length=32, unique=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created = models.DateTimeField(_("registered"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # One live registration per person and session, whatever the concurrency.
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~models.Q(status="cancelled"),
                name="one_live_registration_per_person",
            )
        ]
        indexes = [models.Index(fields=["session", "status", "seat_pool"])]

    def __str__(self):
        return f"{self.person} — {self.session} ({self.status})"

    @property
    def display_code(self):
        """The check-in code as people read it, in groups: ``K3M9X-2TQ7R``."""
        return codes.display(self.checkin_code)


class BadgeJob(models.Model):
    """Badges of a session made by a worker (a large set): what was asked, how far it is, the PDF.

    The state is the row, so that the page's progress bar survives a reload and a worker restart.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Layout(models.TextChoices):
        SHEET = "sheet", _("A4 sheets of four cards")
        SINGLE = "single", _("One card per page (A6)")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="badge_jobs")
    layout = models.CharField(_("layout"), max_length=16, choices=Layout.choices, default=Layout.SHEET)
    # What was asked: the confirmed participants of one constituency (blank: all), or one registration.
    constituency = models.CharField(_("constituency"), max_length=32, blank=True)
    registration = models.ForeignKey(Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(_("badges laid out"), default=0)
    total = models.PositiveIntegerField(_("badges"), default=0)
    error = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    # The worker's last sign of life (each chunk of cards laid out): a job silent for
    # BADGE_JOB_STALL_SECONDS lost its worker and is sent again (services.revive_stalled_badge_jobs).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("badge job")
        verbose_name_plural = _("badge jobs")

    def __str__(self):
        return f"{self.session} badges {self.pk} ({self.status})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        return min(100, round(100 * self.progress / self.total)) if self.total else 0
