"""Who takes part: organisations, people's profiles, delegate verification, the audit trail."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField


class Constituency(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    ACADEMIA = "academia", _("Academia")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")


def formal_name(given_name, family_name):
    """A name as staff read it against a passport: "Amina DIALLO" (the family name in capitals, as on
    badges and lists of delegations); one part alone as it is; "" when neither is given."""
    given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
    return " ".join(part for part in (given_name, family_name.upper()) if part)


def display_name(user):
    """A person as staff see them: their name ("Amina DIALLO") where they gave one, else their email
    address (or, lacking both, username). Public pages never use it: they follow the forum's Chatham
    House switch and show a name only as ``user.get_full_name()``, never an address."""
    if user is None:
        return ""
    return formal_name(user.first_name, user.last_name) or user.email or user.get_username()


def badge_name(user):
    """The name printed on a person's badge: the one they asked for, else "Given Family" as typed."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    chosen = getattr(profile, "badge_name", "") if profile is not None else ""
    return chosen.strip() or user.get_full_name() or user.email or user.get_username()


def constituency_label(value, missing="—"):
    """The constituency's name in the active language; ``missing`` when none is stated, and an
    unknown value (a constituency since removed) as it was stored."""
    try:
        return str(Constituency(value).label)
    except ValueError:
        return value or missing


class Organisation(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PROPOSED = "proposed", _("Proposed by a participant")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=300)
    constituency = models.CharField(_("constituency"), max_length=32, choices=Constituency.choices)
    country = CountryField(_("country"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.APPROVED)
    # The key of the row in stakeholders/data/organisations.csv this organisation came from (e.g.
    # "state:DE"): the loader finds it by key, so a name staff changed is never loaded twice.
    reference = models.CharField(_("reference"), max_length=32, unique=True, null=True, blank=True, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_organisations",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed on"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="unique_organisation_name_country")]

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "other", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Profile(models.Model):
    class DelegateStatus(models.TextChoices):
        NONE = "none", _("Not requested")
        REQUESTED = "requested", _("Requested")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    constituency = models.CharField(_("constituency"), max_length=32, choices=Constituency.choices, blank=True)
    country = CountryField(_("country"), blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    # The given and family names are the user's first_name and last_name (Django's own fields: the
    # agenda, the CSV export and the admin read them there); only the badge's wording is kept here.
    badge_name = models.CharField(
        _("name on the badge"),
        max_length=80,
        blank=True,
        help_text=_("As it should be printed on your badge; leave empty for your given and family names."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    delegate_status = models.CharField(
        _("delegate status"), max_length=16, choices=DelegateStatus.choices, default=DelegateStatus.NONE
    )
    # Optional and self-declared; used only in aggregate (the agenda's balance panel).
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    # Appointed by staff: decides the delegate requests of this government. Only counts while it is
    # the verified delegate's own government (permissions.focal_point_government).
    focal_point_for = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("focal point of"),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user} ({self.get_constituency_display() or '-'})"


def private_upload_path(instance, filename):
    """A random name under private/: the name a person gave a file is never used to store or serve it."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"private/{instance._meta.model_name}/{uuid.uuid4().hex}{suffix}"


class DelegateRequest(models.Model):
    """A participant's request to be recognised as a delegate of a government."""

    class Status(models.TextChoices):
        # A request's status: "une demande", "una solicitud" (feminine).
        PENDING = "pending", pgettext_lazy("delegate request status", "Pending")
        APPROVED = "approved", pgettext_lazy("delegate request status", "Approved")
        REJECTED = "rejected", pgettext_lazy("delegate request status", "Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegate_requests", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="delegate_requests", verbose_name=_("government")
    )
    justification = models.TextField(_("justification"))
    note_verbale = models.FileField(_("note verbale"), upload_to=private_upload_path, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Decided by the government's focal point: staff may still change the decision.
    decided_by_focal_point = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("delegate verification request")
        verbose_name_plural = _("delegate verification requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="one_pending_delegate_request"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.status})"

    def get_absolute_url(self):
        return reverse("stakeholders:delegate-request-detail", kwargs={"pk": self.pk})


class DelegateInvitation(models.Model):
    """Staff invite a person by email to become a verified delegate of a government."""

    email = models.EmailField(_("email"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="delegate_invitations", verbose_name=_("government")
    )
    language = models.CharField(_("language of the email"), max_length=8, choices=settings.LANGUAGES, default="en")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("delegate invitation")
        verbose_name_plural = _("delegate invitations")

    def __str__(self):
        return f"{self.email} → {self.organisation}"


class AuditEntry(models.Model):
    """Who changed what, when: written by the service that makes a staff change."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=300)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class StaffDigest(models.Model):
    """One person's daily digest of what waits for them. One row per person and day, written before
    the email is sent: a second beat, a restart or a task delivered twice finds the row and sends
    nothing more."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_digests")
    day = models.DateField(_("day"))
    created = models.DateTimeField(auto_now_add=True)
    # What the email said, per queue: {key: {"waiting": n, "new": n or null}}; empty when nothing waited.
    counts = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False, help_text=_("False when nothing waited: no email was sent."))

    class Meta:
        ordering = ["-day", "user"]
        verbose_name = _("staff digest")
        verbose_name_plural = _("staff digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_staff_digest_per_person_and_day")]

    def __str__(self):
        return f"{self.user} {self.day}"
