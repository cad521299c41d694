"""Sessions of a forum and their curation: people with roles, running order, changelog, calendar feed keys."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from roundtables.models.programme import Forum, GuidingQuestion, RoundTable


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

    `changes` is a list of {"field": name, "old": text, "new": text}. The short line that sums it up
    is `code` and `params`, written in the reader's language (`roundtables/agenda/summaries.py`);
    `summary` keeps it in English (rows without a code show it as it is).
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes", verbose_name=_("session"))
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(_("summary"), max_length=500)
    code = models.CharField(_("kind of change"), max_length=32, blank=True)
    params = models.JSONField(_("values of the change"), default=dict, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # True when the change was made after the session was published (listed on the public agenda).
    after_publication = models.BooleanField(_("changed since publication"), default=False)

    class Meta:
        ordering = ["session", "-changed_at", "-id"]
        verbose_name = _("session change")
        verbose_name_plural = _("session changes")

    def __str__(self):
        return f"{self.session_id} {self.changed_at:%Y-%m-%d}: {self.summary}"

    def text(self):
        """The summary in the active language."""
        from roundtables.agenda.summaries import summary_of

        return summary_of(self)


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
