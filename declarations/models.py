"""The presidential declaration: drafts compiled from contributions by Celery workers.

A `Declaration` is one forum in one language. Each compile makes a `Draft` (a new version) made of
ordered `Paragraph` rows; every paragraph names the contributions (and reports, practices) it came
from. A `CompileJob` holds the state of a compile so that a progress bar survives a reload and a
worker restart; `CompileSection` holds the finished part of one round table until the final task
assembles the draft in one transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roundtables.models import Contribution, Forum, RapporteurReport, RoundTable


class Declaration(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("forum"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    final_draft = models.ForeignKey(
        "Draft", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("final draft")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["forum", "language"]
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        constraints = [models.UniqueConstraint(fields=["forum", "language"], name="one_declaration_per_language")]

    def __str__(self):
        return f"{self.forum} ({self.language})"


class Draft(models.Model):
    """One version of a declaration. `content` is the structured draft as compiled (JSON);
    `html` its rendering; `inputs_hash` the SHA-256 of everything it was compiled from."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("declaration")
    )
    version = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"), default=dict)
    html = models.TextField(_("HTML"), blank=True)
    inputs_hash = models.CharField(_("hash of the inputs"), max_length=64, db_index=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("based on")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["declaration", "-version"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [models.UniqueConstraint(fields=["declaration", "version"], name="unique_draft_version")]

    def __str__(self):
        return f"{self.declaration} v{self.version}"


class Paragraph(models.Model):
    """A heading or a numbered paragraph of a draft, with where it came from."""

    class Kind(models.TextChoices):
        HEADING = "heading", _("Heading")
        PARAGRAPH = "paragraph", _("Paragraph")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="paragraphs")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(default=1, help_text=_("Heading level, 1 = top"))
    section = models.CharField(max_length=64, blank=True, help_text=_("e.g. preamble, rt:1.1:messages"))
    number = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    support_count = models.PositiveIntegerField(default=0)
    constituencies = models.JSONField(default=list, blank=True)
    round_table = models.ForeignKey(RoundTable, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sources = models.ManyToManyField(Contribution, blank=True, related_name="declaration_paragraphs")
    reports = models.ManyToManyField(RapporteurReport, blank=True, related_name="declaration_paragraphs")
    practice_ids = models.JSONField(default=list, blank=True)
    # A synthesis paragraph's sentences and the contributions each cites: [{"text", "sources"}].
    sentences = models.JSONField(default=list, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draft", "position"]
        constraints = [models.UniqueConstraint(fields=["draft", "position"], name="unique_paragraph_position")]

    def __str__(self):
        return f"{self.draft} §{self.position}"


class CompileJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        UNCHANGED = "unchanged", _("Nothing changed")
        FAILED = "failed", _("Failed")

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    force = models.BooleanField(default=False)
    stage = models.CharField(max_length=300, blank=True)
    round_tables_total = models.PositiveIntegerField(default=0)
    round_tables_done = models.PositiveIntegerField(default=0)
    progress = models.PositiveIntegerField(default=0, help_text=_("Contributions processed"))
    total = models.PositiveIntegerField(default=0, help_text=_("Contributions to process"))
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    inputs_hash = models.CharField(max_length=64, blank=True)
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("compile job")
        verbose_name_plural = _("compile jobs")

    def __str__(self):
        return f"{self.declaration} job {self.pk} ({self.status})"


class CompileSection(models.Model):
    """What one round-table task produced for a job; the final task assembles them."""

    job = models.ForeignKey(CompileJob, on_delete=models.CASCADE, related_name="sections")
    round_table = models.ForeignKey(RoundTable, on_delete=models.CASCADE, related_name="+")
    content = models.JSONField(default=dict)
    processed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "round_table"], name="one_section_per_round_table")]

    def __str__(self):
        return f"job {self.job_id} {self.round_table_id}"
