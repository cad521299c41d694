"""The forum programme: forums, their sub-themes, round tables and guiding questions.

A forum is data: the 2018 summit is another row of Forum, loaded from another data file.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from sdg_targets.models import CompactTheme, Target


class LinkSource(models.TextChoices):
    """Where a link between a round table and a framework comes from."""

    NOTE = "note", _("Named in the concept note")
    PORTAL = "portal", _("Added by the portal")


def zone_named(name):
    """The time zone called ``name``, or the site's when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


class ForumQuerySet(models.QuerySet):
    def published(self):
        """Forums the public may read (a draft forum is staff's only)."""
        return self.filter(status=Forum.Status.PUBLISHED)

    def current_first(self):
        """The forum marked current first, then the latest ones."""
        return self.order_by("-is_current", "-year", "-edition")

    def current(self):
        """The forum marked current, or else the latest published one."""
        return self.published().current_first().first()


class EditedInThreeLanguages(models.Model):
    """A row whose texts staff edit in English, French and Spanish (programme.translations).

    ``version``: the optimistic lock of the editor (a save names the version it was opened at).
    ``translated_from``: {field: {language: hash of the source-language text the translation was
    made from}}; a translation whose hash is not the source's current one is out of date.
    """

    version = models.PositiveIntegerField(_("version"), default=1)
    translated_from = models.JSONField(_("translated from"), default=dict, blank=True)

    class Meta:
        abstract = True


class Forum(EditedInThreeLanguages):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    edition = models.PositiveSmallIntegerField(_("edition"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    theme = models.CharField(_("main theme"), max_length=300)
    theme_description = models.TextField(_("main theme, description"), blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    thematic_workshop = models.TextField(_("thematic workshop"), blank=True)
    impact = models.TextField(_("impact and outreach"), blank=True)
    host_countries = CountryField(_("host countries"), multiple=True, blank=True)
    co_chairing_countries = CountryField(_("co-chairing countries"), multiple=True, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    concept_note_date = models.DateField(_("concept note date"), null=True, blank=True)
    is_current = models.BooleanField(_("current forum"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    # The language its texts are written in first; the other two are translations of it.
    source_language = models.CharField(
        _("source language"), max_length=2, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin")
    # Chatham House rule: accepted contributions are shown by constituency only unless this is set.
    show_contributor_names = models.BooleanField(_("show contributors' names"), default=False)
    compact_themes = models.ManyToManyField(
        CompactTheme, through="ForumCompactTheme", related_name="forums", verbose_name=_("Global Compact themes")
    )

    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-edition"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_forum"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("roundtables:programme", kwargs={"forum": self.slug})

    def zone(self):
        """The forum's time zone: its sessions' times are shown, checked and exported in it."""
        return zone_named(self.time_zone)


class ForumCompactTheme(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="theme_links")
    theme = models.ForeignKey(CompactTheme, on_delete=models.CASCADE, related_name="forum_links")
    source = models.CharField(_("source"), max_length=8, choices=LinkSource.choices, default=LinkSource.NOTE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["forum", "theme"], name="unique_forum_theme")]

    def __str__(self):
        return f"{self.forum_id} → {self.theme_id} ({self.source})"


class SubTheme(EditedInThreeLanguages):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="sub_themes", verbose_name=_("forum"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["forum", "number"]
        verbose_name = _("sub-theme")
        verbose_name_plural = _("sub-themes")
        constraints = [models.UniqueConstraint(fields=["forum", "number"], name="unique_sub_theme_number")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class RoundTable(EditedInThreeLanguages):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="round_tables", verbose_name=_("forum"))
    sub_theme = models.ForeignKey(
        SubTheme, on_delete=models.CASCADE, related_name="round_tables", verbose_name=_("sub-theme")
    )
    code = models.CharField(_("code"), max_length=8, help_text=_("For example 1.1"))
    title = models.CharField(_("title"), max_length=300)
    expected_outcomes = models.TextField(_("expected outcomes"), blank=True)
    background = models.TextField(_("background"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    sdg_targets = models.ManyToManyField(
        Target, through="RoundTableTarget", related_name="round_tables", verbose_name=_("SDG targets")
    )
    compact_themes = models.ManyToManyField(
        CompactTheme, through="RoundTableTheme", related_name="round_tables", verbose_name=_("Global Compact themes")
    )
    co_chairing_governments = CountryField(_("co-chairing governments"), multiple=True, blank=True)
    # The round-table team: the governments and organisations that prepare it.
    team_governments = CountryField(_("round-table team: governments"), multiple=True, blank=True)
    team_organisations = models.TextField(
        _("round-table team: organisations"), blank=True, help_text=_("One per line.")
    )

    class Meta:
        ordering = ["forum", "position", "code"]
        verbose_name = _("round table")
        verbose_name_plural = _("round tables")
        constraints = [models.UniqueConstraint(fields=["forum", "code"], name="unique_round_table_code")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("roundtables:detail", kwargs={"forum": self.forum.slug, "code": self.code})


class RoundTableTarget(models.Model):
    round_table = models.ForeignKey(RoundTable, on_delete=models.CASCADE, related_name="target_links")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="round_table_links")
    source = models.CharField(_("source"), max_length=8, choices=LinkSource.choices, default=LinkSource.NOTE)

    class Meta:
        ordering = ["target__goal__number", "target__position"]
        constraints = [models.UniqueConstraint(fields=["round_table", "target"], name="unique_round_table_target")]

    def __str__(self):
        return f"{self.round_table_id} → {self.target_id} ({self.source})"


class RoundTableTheme(models.Model):
    round_table = models.ForeignKey(RoundTable, on_delete=models.CASCADE, related_name="theme_links")
    theme = models.ForeignKey(CompactTheme, on_delete=models.CASCADE, related_name="round_table_links")
    source = models.CharField(_("source"), max_length=8, choices=LinkSource.choices, default=LinkSource.NOTE)

    class Meta:
        ordering = ["theme__code"]
        constraints = [models.UniqueConstraint(fields=["round_table", "theme"], name="unique_round_table_theme")]

    def __str__(self):
        return f"{self.round_table_id} → {self.theme_id} ({self.source})"


class GuidingQuestion(EditedInThreeLanguages):
    round_table = models.ForeignKey(
        RoundTable, on_delete=models.CASCADE, related_name="guiding_questions", verbose_name=_("round table")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["round_table", "position"]
        verbose_name = _("guiding question")
        verbose_name_plural = _("guiding questions")
        constraints = [
            models.UniqueConstraint(fields=["round_table", "position"], name="unique_guiding_question_position")
        ]

    def __str__(self):
        return f"{self.round_table.code} Q{self.position}"


class ProgrammeChange(models.Model):
    """One change staff made to a forum's programme in the editor; public once the forum is published.

    Stored as codes, rendered in the reader's language: ``action`` (e.g. "round_table.updated"),
    ``label`` (what changed, e.g. "1.1" or "Q2"), ``fields`` (names of the fields changed).
    """

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="changes", verbose_name=_("forum"))
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    label = models.CharField(_("label"), max_length=40, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    after_publication = models.BooleanField(_("changed since publication"), default=False)

    class Meta:
        ordering = ["forum", "-changed_at", "-id"]
        verbose_name = _("programme change")
        verbose_name_plural = _("programme changes")

    def __str__(self):
        return f"{self.forum_id} {self.action} {self.label}"

    def describe(self):
        """The change in the active language, e.g. "Round table 1.1 changed: Title, Background"."""
        what, _dot, verb = self.action.partition(".")
        subject = {
            "forum": _("Forum %(label)s"),
            "sub_theme": _("Sub-theme %(label)s"),
            "round_table": _("Round table %(label)s"),
            "guiding_question": _("Guiding question %(label)s"),
        }.get(what, "%(label)s") % {"label": self.label}
        verbs = {
            "created": _("%(subject)s created"),
            "updated": _("%(subject)s changed: %(fields)s"),
            "removed": _("%(subject)s removed"),
            "questions_reordered": _("%(subject)s: guiding questions reordered"),
            "link_added": _("%(subject)s linked: %(fields)s"),
            "link_removed": _("%(subject)s link removed: %(fields)s"),
        }
        labels = []
        for name in self.fields:
            try:
                labels.append(str(_FIELD_OWNERS[what]._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:  # a field renamed since: show its name
                labels.append(name)
        template = verbs.get(verb, "%(subject)s")
        return str(template) % {"subject": subject, "fields": ", ".join(labels)}


_FIELD_OWNERS = {"forum": Forum, "sub_theme": SubTheme, "round_table": RoundTable, "guiding_question": GuidingQuestion}
