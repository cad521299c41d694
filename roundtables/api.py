from functools import cached_property

from django.db.models import Prefetch
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from common.api import LanguageMixin, LanguageQuery
from roundtables.agenda.queries import absolute_url, agenda_session, agenda_sessions, published_sessions, with_agenda
from roundtables.models import Forum, GuidingQuestion, RoundTable, RoundTableTarget, RoundTableTheme, Session
from stakeholders.permissions import can


def forum_asked(query):
    """The forum that ``?forum=`` names, or the current one; a 404 when there is none."""
    slug = query.get("forum")
    forum = Forum.objects.filter(slug=slug) if slug else Forum.objects.current_first()
    forum = forum.first()
    if forum is None:
        raise NotFound("No such forum." if slug else "No current forum.")
    return forum


class ForumQuery(LanguageQuery):
    not_found = ("`forum` names no forum (without it: there is no current forum)",)

    forum = serializers.SlugField(
        required=False,
        trim_whitespace=False,
        max_length=Forum._meta.get_field("slug").max_length,
        help_text="A forum's slug, e.g. gfmd-2017; the current forum by default.",
    )


class RoundTableSerializer(serializers.ModelSerializer):
    forum = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sub_theme = serializers.SerializerMethodField()
    guiding_questions = serializers.SerializerMethodField()
    sdg_targets = serializers.SerializerMethodField()
    compact_themes = serializers.SerializerMethodField()

    class Meta:
        model = RoundTable
        fields = [
            "forum",
            "code",
            "title",
            "sub_theme",
            "expected_outcomes",
            "background",
            "guiding_questions",
            "sdg_targets",
            "compact_themes",
        ]

    def get_sub_theme(self, obj) -> str:
        return obj.sub_theme.title

    def get_guiding_questions(self, obj) -> list[str]:
        return [question.text for question in obj.guiding_questions.all()]

    def get_sdg_targets(self, obj) -> list[str]:
        return [link.target.code for link in obj.target_links.all()]

    def get_compact_themes(self, obj) -> list[str]:
        return [link.theme.code for link in obj.theme_links.all()]


class RoundTableViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """The round tables of a forum (the current one unless ``?forum=`` names another)."""

    serializer_class = RoundTableSerializer
    query_serializer_class = ForumQuery
    lookup_field = "code"
    lookup_value_regex = r"[0-9A-Za-z.\-]+"
    pagination_class = None

    def get_forum(self):
        return forum_asked(self.query)

    def get_queryset(self):
        return (
            RoundTable.objects.filter(forum=self.get_forum())
            .select_related("forum", "sub_theme")
            .prefetch_related(
                Prefetch("guiding_questions", queryset=GuidingQuestion.objects.order_by("position")),
                Prefetch("target_links", queryset=RoundTableTarget.objects.select_related("target__goal")),
                Prefetch("theme_links", queryset=RoundTableTheme.objects.select_related("theme")),
            )
            .order_by("position", "code")
        )


# --- The agenda's sessions ------------------------------------------------------------------------


class SessionQuery(ForumQuery):
    round_table = serializers.RegexField(
        r"\A[0-9A-Za-z.\-]{1,8}\Z",
        required=False,
        trim_whitespace=False,
        help_text="A round table's code, e.g. 1.1: only its sessions (none for an unknown code).",
    )


class SessionSerializer(serializers.ModelSerializer):
    """A published session with its people, running order and the changes made since publication.

    Times are ISO 8601 in the forum's time zone, with their offset; people are shown by name and
    organisation only (never an email address)."""

    # (Not in the docstring: that is the schema's description.) It serialises AgendaSessions
    # (roundtables.agenda.queries): the model's own fields come from the entry's session, the
    # others (the get_* methods) from the entry itself.

    round_table = serializers.SerializerMethodField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    time_zone = serializers.CharField(source="forum.time_zone", read_only=True)
    page = serializers.SerializerMethodField(help_text="The session's page on the portal.")
    roles = serializers.SerializerMethodField()
    running_order = serializers.SerializerMethodField()
    changes_since_publication = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "slug",
            "kind",
            "title",
            "description",
            "round_table",
            "start",
            "end",
            "time_zone",
            "venue",
            "room",
            "status",
            "version",
            "page",
            "roles",
            "running_order",
            "changes_since_publication",
        ]

    def to_representation(self, instance):
        """The answer for one AgendaSession, written out rather than field by field: DRF's generic
        representation (``super().to_representation(instance.session)``, what the declared fields
        give; a test holds the two equal) took a third of a 200-session answer's time."""
        self.entry = instance  # the AgendaSession whose session is being serialised
        session = instance.session
        return {
            "slug": session.slug,
            "kind": session.kind,
            "title": session.title,
            "description": session.description,
            "round_table": self.get_round_table(session),
            "start": self.get_start(session),
            "end": self.get_end(session),
            "time_zone": session.forum.time_zone,
            "venue": session.venue,
            "room": session.room,
            "status": session.status,
            "version": session.version,
            "page": self.get_page(session),
            "roles": self.get_roles(session),
            "running_order": self.get_running_order(session),
            "changes_since_publication": self.get_changes_since_publication(session),
        }

    def get_round_table(self, obj) -> str | None:
        return obj.round_table.code if obj.round_table_id else None

    def get_start(self, obj) -> str | None:
        return self.entry.local_start.isoformat() if self.entry.local_start else None

    def get_end(self, obj) -> str | None:
        return self.entry.local_end.isoformat() if self.entry.local_end else None

    @cached_property
    def absolute_url(self):
        """The absolute address of a path, or the path without a request (worked out once per answer)."""
        request = self.context.get("request")
        return absolute_url(request) if request else str

    def get_page(self, obj) -> str:
        return self.absolute_url(self.entry.page_url)

    def get_roles(self, obj) -> list[dict]:
        return [
            {"role": person.role, "label": person.label, "name": person.name, "organisation": person.organisation}
            for person in self.entry.people
        ]

    def get_running_order(self, obj) -> list[dict]:
        return [
            {
                "position": number,
                "kind": step.kind,
                "title": step.text,
                "guiding_question": step.question.position if step.question else None,
                "minutes": step.minutes,
                "start": step.at.isoformat() if step.at else None,
            }
            for number, step in enumerate(self.entry.running_order, start=1)
        ]

    def get_changes_since_publication(self, obj) -> list[dict]:
        return [
            {
                "changed_at": change.at.isoformat(),
                "summary": change.summary,
                "code": change.code,
                "params": change.params,
            }
            for change in self.entry.changes
        ]


class SessionViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """The agenda of a forum (the current one unless ``?forum=`` names another): published sessions only,
    in time order, those without a date last. A draft is a 404 to everyone but co-chair staff."""

    serializer_class = SessionSerializer
    query_serializer_class = ForumQuery
    query_serializer_classes = {"list": SessionQuery}
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    pagination_class = None

    def get_forum(self):
        return forum_asked(self.query)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is being generated
            return Session.objects.none()
        forum = self.forum = self.get_forum()
        if self.action == "retrieve" and can(self.request.user, "roundtables.curate_agenda"):
            return with_agenda(Session.objects.filter(forum=forum))
        round_table = None
        if self.query.get("round_table"):
            round_table = RoundTable.objects.filter(forum=forum, code=self.query["round_table"]).first()
            if round_table is None:
                return Session.objects.none()
        return published_sessions(forum, round_table=round_table)

    def list(self, request, *args, **kwargs):
        sessions = self.get_queryset()
        return Response(self.get_serializer(agenda_sessions(sessions, self.forum), many=True).data)

    def get_object(self):
        """The AgendaSession of the session asked for (its serializer takes AgendaSessions)."""
        return agenda_session(super().get_object(), self.forum)
