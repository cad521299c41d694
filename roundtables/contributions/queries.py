"""Reads of contributions that pages share: who sees which contributions, who is shown as their
author, the accepted ones a round table's page shows, the round tables that take contributions and
the sessions whose report a person writes."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from roundtables.models import Contribution, RoundTable, Session
from stakeholders.models import Constituency
from stakeholders.permissions import can

Status = Contribution.Status


def visible_contributions(user):
    """The contributions ``user`` may see: accepted ones; their own; every one for staff.

    Anything else is not found (404) wherever it is asked for.
    """
    queryset = Contribution.objects.all()
    if can(user, "roundtables.moderate_contributions"):
        return queryset
    if user.is_authenticated:
        return queryset.filter(Q(status=Status.ACCEPTED) | Q(author_id=user.pk))
    return queryset.filter(status=Status.ACCEPTED)


def reporting_sessions(user):
    """The sessions of the current forum where ``user`` is a rapporteur (for their own pages)."""
    if not user.is_authenticated:
        return Session.objects.none()
    return (
        Session.objects.filter(roles__person_id=user.pk, roles__role="rapporteur", forum__is_current=True)
        .select_related("round_table")
        .distinct()
        .order_by("start", "id")
    )


def round_table_of_current_forum(forum_slug, code):
    """The round table a participant may contribute to: one of the current forum's."""
    return (
        RoundTable.objects.select_related("forum")
        .filter(forum__slug=forum_slug, code=code, forum__is_current=True)
        .first()
    )


SHOWN_ON_ROUND_TABLE_PAGE = 20


def attribution(contribution, *, show_names):
    """Who said it, as the public reads it: by constituency only (Chatham House rule) unless the
    forum shows names; then the author's name where they gave one, and their organisation."""
    try:
        constituency = Constituency(contribution.constituency).label
    except ValueError:
        constituency = ""
    if not show_names:
        return constituency or _("A participant")
    author = contribution.author
    parts = [author.get_full_name() if author else "", contribution.organisation_name]
    named = ", ".join(part for part in parts if part)
    if named and constituency:
        return f"{named} ({constituency})"
    return named or constituency or _("A participant")


def accepted_prefetch():
    """Prefetch (to ``accepted_contributions``) the latest accepted contributions of a round table,
    one more than the page shows (to know whether there are more), in one query whatever their number."""
    return Prefetch(
        "contributions",
        queryset=Contribution.objects.filter(status=Status.ACCEPTED)
        .select_related("author")
        .only(
            "id",
            "round_table_id",
            "guiding_question_id",
            "kind",
            "text",
            "language",
            "constituency",
            "organisation_name",
            "author",
            "author__first_name",
            "author__last_name",
        )
        .order_by("-id")[: SHOWN_ON_ROUND_TABLE_PAGE + 1],
        to_attr="accepted_contributions",
    )


def round_table_page_context(round_table, user=None):
    """The accepted contributions of the round table's page, grouped by guiding question (in the
    questions' order, then those about the round table as a whole). Uses what ``accepted_prefetch``
    and the questions' prefetch loaded: no query of its own (for staff, asking their role may take two)."""
    latest = list(getattr(round_table, "accepted_contributions", []))
    shown, more = latest[:SHOWN_ON_ROUND_TABLE_PAGE], len(latest) > SHOWN_ON_ROUND_TABLE_PAGE
    show_names = round_table.forum.show_contributor_names
    by_question = {}
    for contribution in sorted(shown, key=lambda c: c.pk):
        contribution.attribution = attribution(contribution, show_names=show_names)
        by_question.setdefault(contribution.guiding_question_id, []).append(contribution)
    groups = [
        {"question": question, "contributions": by_question[question.pk]}
        for question in round_table.guiding_questions.all()
        if question.pk in by_question
    ]
    if None in by_question:
        groups.append({"question": None, "contributions": by_question[None]})
    return {
        "contribution_groups": groups,
        "more_contributions": more,
        "contributions_open": round_table.forum.is_current,
        "can_moderate": user is not None and can(user, "roundtables.moderate_contributions"),
    }
