"""The Platform for Partnerships' database of policies and good practices."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from roundtables.models import RoundTable
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import Organisation, private_upload_path


class Practice(models.Model):
    class Status(models.TextChoices):
        # A practice's status: "une bonne pratique", "una buena práctica" (feminine), in every tab alike.
        DRAFT = "draft", pgettext_lazy("practice status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("practice status", "Submitted")
        IN_REVIEW = "in_review", pgettext_lazy("practice status", "In review")
        CHANGES_REQUESTED = "changes_requested", pgettext_lazy("practice status", "Changes requested")
        PUBLISHED = "published", pgettext_lazy("practice status", "Published")
        REJECTED = "rejected", pgettext_lazy("practice status", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("practice status", "Withdrawn")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")
        SPANISH = "es", _("Spanish")

    # Who holds it: the submitting government; its verified delegates edit it together.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="practices", verbose_name=_("submitting government")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Optimistic locking: a save names the version it started from; a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True)
    countries = CountryField(_("implementing countries"), multiple=True, blank=True)
    implementing_organisations = models.TextField(_("implementing organisations"), blank=True)
    partners = models.TextField(_("partners"), blank=True)
    constituencies = models.JSONField(_("constituencies involved"), default=list, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    ongoing = models.BooleanField(_("ongoing"), default=False)
    sdg_targets = models.ManyToManyField(Target, blank=True, related_name="practices", verbose_name=_("SDG targets"))
    compact_themes = models.ManyToManyField(
        CompactTheme, blank=True, related_name="practices", verbose_name=_("Global Compact themes")
    )
    round_tables = models.ManyToManyField(
        RoundTable, blank=True, related_name="practices", verbose_name=_("related round tables")
    )
    gender_responsive = models.BooleanField(_("gender-responsive"), null=True, blank=True)
    gender_explanation = models.TextField(_("how it is gender-responsive"), blank=True)
    results = models.TextField(_("results and impact"), blank=True)
    evidence = models.TextField(_("evidence or evaluation"), blank=True)
    replicability = models.TextField(_("replicability"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One address per line."))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Weighted and accent-insensitive (PostgreSQL); kept up to date by the services.
    search_vector = SearchVectorField(null=True, editable=False)
    # The ids of the linked SDG targets, themes and round tables ("3,17,42"), kept on the row for the
    # search's facet counts (practices.links): counted like the countries, per combination, instead
    # of joining the link tables for every matching practice.
    target_ids = models.TextField(blank=True, default="", editable=False)
    theme_ids = models.TextField(blank=True, default="", editable=False)
    round_table_ids = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("practices:detail", kwargs={"pk": self.pk})


class Attachment(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=private_upload_path)
    kind = models.CharField(max_length=8)  # pdf, docx, png, jpeg: detected from the content
    title = models.CharField(_("title"), max_length=200, blank=True)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title or f"attachment {self.pk}"


class Transition(models.Model):
    """One step of a practice's workflow: who, when, from, to, and the comment shown to the submitter."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_status = models.CharField(max_length=20, choices=Practice.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Practice.Status.choices)
    comment = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"{self.practice_id}: {self.from_status} → {self.to_status}"


class SearchGeneration(models.Model):
    """One row whose token changes with every change to a practice or its links: each server
    process rebuilds its facet index when the token differs (practices.search.facet_index)."""

    token = models.CharField(max_length=32, blank=True, default="")

    def __str__(self):
        return self.token
