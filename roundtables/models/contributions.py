"""Contributions to round tables, and rapporteurs' reports of sessions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from roundtables.models.agenda import Session
from roundtables.models.programme import GuidingQuestion, RoundTable
from sdg_targets.models import CompactTheme, Target


class Contribution(models.Model):
    """A participant's statement or recommendation to a round table, moderated by staff."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Statement")
        RECOMMENDATION = "recommendation", _("Recommendation")

    class Status(models.TextChoices):
        # A contribution's status (feminine in French and Spanish), not a date of acceptance.
        SUBMITTED = "submitted", pgettext_lazy("contribution status", "Awaiting moderation")
        ACCEPTED = "accepted", pgettext_lazy("contribution status", "Accepted")
        REJECTED = "rejected", pgettext_lazy("contribution status", "Rejected")
        DUPLICATE = "duplicate", pgettext_lazy("contribution status", "Duplicate")

    round_table = models.ForeignKey(
        RoundTable, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("round table")
    )
    guiding_question = models.ForeignKey(
        GuidingQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("guiding question"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="contributions",
        verbose_name=_("author"),
    )
    # The author's affiliation when they contributed (a later change of profile does not rewrite it).
    organisation = models.ForeignKey(
        "stakeholders.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(_("organisation at the time"), max_length=300, blank=True)
    constituency = models.CharField(_("constituency at the time"), max_length=32, blank=True)
    country = CountryField(_("country at the time"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    sdg_targets = models.ManyToManyField(
        Target, blank=True, related_name="contributions", verbose_name=_("SDG targets")
    )
    compact_themes = models.ManyToManyField(
        CompactTheme, blank=True, related_name="contributions", verbose_name=_("Global Compact themes")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # The same contribution in another language (staff link them): the declaration's compile merges
    # them, a draft taking the text in its own language and counting the other as support.
    same_as = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the same as"),
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    created = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["round_table", "created", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(fields=["round_table", "status", "kind", "id"]),
            models.Index(fields=["status", "created"]),
        ]

    def __str__(self):
        return f"{self.round_table_id} {self.kind} #{self.pk}"


class RapporteurReport(models.Model):
    """The report a session's rapporteur writes: one per session and language."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reports", verbose_name=_("session"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("report"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "language"]
        verbose_name = _("rapporteur's report")
        verbose_name_plural = _("rapporteurs' reports")
        constraints = [models.UniqueConstraint(fields=["session", "language"], name="one_report_per_language")]

    def __str__(self):
        return f"{self.session} ({self.language})"
