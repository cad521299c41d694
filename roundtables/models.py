"""The forum programme: forums, their sub-themes, round tables and guiding questions.

A forum is data: the 2018 summit is another row of Forum, loaded from another data file.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
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
    def current_first(self):
        """The forum marked current first, then the latest ones."""
        return self.order_by("-is_current", "-year", "-edition")

    def current(self):
        """The forum marked current, or else the latest one."""
        return self.current_first().first()


class Forum(models.Model):
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
    city = models.CharField(_("city"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    concept_note_date = models.DateField(_("concept note date"), null=True, blank=True)
    is_current = models.BooleanField(_("current forum"), default=False)
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


class SubTheme(models.Model):
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


class RoundTable(models.Model):
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


class GuidingQuestion(models.Model):
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


class Session(models.Model):
    """A meeting of the forum: a round table's session, the common space, a plenary, …

    Staff curate it (roles, running order) and publish it; the public sees published sessions only.
    """

    class Kind(models.TextChoices):
        ROUND_TABLE = "round_table", _("Round table")
        COMMON_SPACE = "common_space", _("Common space")
        PLENARY = "plenary", _("Plenary")
        BUSINESS_INTERFACE = "business_interface", _("Business interface")
        THEMATIC_WORKSHOP = "thematic_workshop", _("Thematic workshop")
        FRIENDS_OF_THE_FORUM = "friends_of_the_forum", _("Friends of the Forum meeting")
        STEERING_GROUP = "steering_group", _("Steering Group meeting")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("forum"))
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    round_table = models.ForeignKey(
        RoundTable,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("round table"),
    )
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("description"), blank=True)
    co_chairing_governments = CountryField(_("co-chairing governments"), multiple=True, blank=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    # Optimistic lock: a save names the version it started from; a stale one is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated = models.DateTimeField(_("updated"), auto_now=True, null=True)

    class Meta:
        ordering = ["forum", "start", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [models.UniqueConstraint(fields=["forum", "slug"], name="unique_session_slug")]

    def __str__(self):
        return self.title


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


# ---------------------------------------------------------------------------
# Agenda curation (sessions' people, running order, changelog, calendar feeds)
# ---------------------------------------------------------------------------


class SessionRole(models.Model):
    """A person with a role in a session: someone with an account, or a named guest."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        CO_CHAIR = "co_chair", _("Co-chair")
        MODERATOR = "moderator", _("Moderator")
        RAPPORTEUR = "rapporteur", _("Rapporteur")
        SPEAKER = "speaker", _("Speaker")
        PANELLIST = "panellist", _("Panellist")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="roles", verbose_name=_("session"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="session_roles",
        verbose_name=_("person"),
    )
    # A guest without an account: named here, with what the balance panel needs.
    guest_name = models.CharField(_("guest name"), max_length=200, blank=True)
    guest_organisation = models.CharField(_("guest organisation"), max_length=300, blank=True)
    guest_constituency = models.CharField(_("guest constituency"), max_length=32, blank=True)
    guest_country = CountryField(_("guest country"), blank=True)
    guest_gender = models.CharField(_("guest gender"), max_length=16, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("session role")
        verbose_name_plural = _("session roles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(guest_name=""),
                name="session_role_person_or_guest",
            )
        ]
        indexes = [models.Index(fields=["person", "session"])]

    def __str__(self):
        return f"{self.get_role_display()}: {self.person or self.guest_name}"


class AgendaItem(models.Model):
    """One step of a session's running order: opening, a guiding question, discussion, conclusions."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening")
        GUIDING_QUESTION = "guiding_question", _("Guiding question")
        DISCUSSION = "discussion", _("Discussion")
        CONCLUSIONS = "conclusions", _("Conclusions")
        OTHER = "other", _("Other")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("session")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    guiding_question = models.ForeignKey(
        GuidingQuestion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("guiding question"),
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=10)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title or self.get_kind_display()


class SessionChange(models.Model):
    """One change to a session, recorded by staff edits; public once the session is published.

    `changes` is a list of {"field": name, "old": text, "new": text}; `summary` is a short line.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes", verbose_name=_("session"))
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(_("summary"), max_length=500)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # True when the change was made after the session was published (listed on the public agenda).
    after_publication = models.BooleanField(_("changed since publication"), default=False)

    class Meta:
        ordering = ["session", "-changed_at", "-id"]
        verbose_name = _("session change")
        verbose_name_plural = _("session changes")

    def __str__(self):
        return f"{self.session_id} {self.changed_at:%Y-%m-%d}: {self.summary}"


class CalendarFeedToken(models.Model):
    """The secret in a person's private "my sessions" feed URL; revoking it kills the URL."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens")
    key = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return f"{self.person} ({'revoked' if self.revoked_at else 'active'})"


# ---------------------------------------------------------------------------
# Contributions to round tables, and rapporteurs' reports
# ---------------------------------------------------------------------------


class Contribution(models.Model):
    """A participant's statement or recommendation to a round table, moderated by staff."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Statement")
        RECOMMENDATION = "recommendation", _("Recommendation")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")

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
