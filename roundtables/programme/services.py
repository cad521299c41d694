"""Actions that change the forum programme: loading a forum from its data file (``load_forum``,
also the ``load_forum`` management command's work)."""

import datetime
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from common import outbox
from roundtables.models import (
    Forum,
    ForumCompactTheme,
    GuidingQuestion,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    Session,
    SubTheme,
)
from sdg_targets.models import CompactTheme, Target
from sdg_targets.services import load_frameworks, translated

FORUM_2017_FILE = Path(__file__).resolve().parent / "data" / "forum_2017.yaml"


def _date(value):
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _sync_links(tally, link_model, owner_field, owner, other_field, others_by_code, items):
    """Make the owner's links exactly those of ``items`` ([{code, source}])."""
    wanted = {}
    for item in items or []:
        code = str(item["code"])
        if code not in others_by_code:
            raise ValueError(f"{owner}: unknown {other_field} {code!r}")
        wanted[others_by_code[code].pk] = item.get("source", "note")
    existing = {getattr(link, f"{other_field}_id"): link for link in link_model.objects.filter(**{owner_field: owner})}
    for other_id, link in existing.items():
        if other_id not in wanted:
            link.delete()
            tally.deleted += 1
    for other_id, source in wanted.items():
        tally.upsert(link_model, {owner_field: owner, f"{other_field}_id": other_id}, {"source": source})


def _untouched_by_staff(session):
    """Staff have not edited the session: each of their saves bumps its version and records a change."""
    return session.version == 1 and not session.changes.exists()


def _load_session(tally, forum, round_tables, spec):
    """Create a session the note names if it is missing; afterwards the file's title, description and
    publication follow only while staff have not edited it (a session staff unpublished stays so)."""
    session = Session.objects.filter(forum=forum, slug=spec["slug"]).first()
    status = spec.get("status", Session.Status.DRAFT)
    texts = {**translated("title", spec["title"]), **translated("description", spec.get("description", {}))}
    if session is None:
        code = spec.get("round_table")
        if code and str(code) not in round_tables:
            raise ValueError(f"session {spec['slug']}: unknown round table {code!r}")
        Session.objects.create(
            forum=forum,
            slug=spec["slug"],
            kind=spec["kind"],
            round_table=round_tables.get(str(code)) if code else None,
            venue=spec.get("venue", ""),
            status=status,
            published_at=timezone.now() if status == Session.Status.PUBLISHED else None,
            **texts,
        )
        tally.created += 1
        return
    if not _untouched_by_staff(session):
        tally.unchanged += 1
        return
    if status == Session.Status.PUBLISHED and session.status == Session.Status.DRAFT and session.published_at is None:
        # Loaded as a draft by an earlier version of the file, never published since: publish it now.
        texts.update(status=Session.Status.PUBLISHED, published_at=timezone.now())
    tally.upsert(Session, {"pk": session.pk}, texts)


@transaction.atomic
def load_forum(*, path=FORUM_2017_FILE, make_current=True):
    """Load a forum's programme from its data file, with the reference frameworks.

    Idempotent: a second run changes no row; a text edited in the file is updated in place;
    questions and links that the file no longer has are removed.
    """
    tally = load_frameworks()
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    targets = {target.code: target for target in Target.objects.all()}
    themes = {theme.code: theme for theme in CompactTheme.objects.all()}

    spec = data["forum"]
    forum_values = {
        "edition": spec["edition"],
        "year": spec["year"],
        "city": spec.get("city", ""),
        "host_countries": spec.get("host_countries", []),
        "start_date": _date(spec.get("start_date")),
        "end_date": _date(spec.get("end_date")),
        "concept_note_date": _date(spec.get("concept_note_date")),
    }
    for field in ("title", "theme", "theme_description", "introduction", "thematic_workshop", "impact"):
        forum_values.update(translated(field, spec.get(field, {})))
    if make_current:
        Forum.objects.filter(is_current=True).exclude(slug=spec["slug"]).update(is_current=False)
        forum_values["is_current"] = True
    forum = tally.upsert(Forum, {"slug": spec["slug"]}, forum_values)
    _sync_links(tally, ForumCompactTheme, "forum", forum, "theme", themes, spec.get("compact_themes"))

    position = 0
    for sub_spec in data["sub_themes"]:
        sub_theme = tally.upsert(
            SubTheme, {"forum": forum, "number": sub_spec["number"]}, translated("title", sub_spec["title"])
        )
        for rt_spec in sub_spec["round_tables"]:
            position += 1
            round_table = tally.upsert(
                RoundTable,
                {"forum": forum, "code": str(rt_spec["code"])},
                {
                    "sub_theme": sub_theme,
                    "position": position,
                    **translated("title", rt_spec["title"]),
                    **translated("expected_outcomes", rt_spec.get("expected_outcomes", {})),
                    **translated("background", rt_spec.get("background", {})),
                },
            )
            questions = rt_spec.get("guiding_questions", [])
            for number, text in enumerate(questions, start=1):
                tally.upsert(
                    GuidingQuestion, {"round_table": round_table, "position": number}, translated("text", text)
                )
            tally.deleted += round_table.guiding_questions.filter(position__gt=len(questions)).delete()[0]
            _sync_links(
                tally, RoundTableTarget, "round_table", round_table, "target", targets, rt_spec.get("sdg_targets")
            )
            _sync_links(
                tally, RoundTableTheme, "round_table", round_table, "theme", themes, rt_spec.get("compact_themes")
            )
    round_tables = {rt.code: rt for rt in forum.round_tables.all()}
    for session_spec in data.get("sessions", []):
        _load_session(tally, forum, round_tables, session_spec)
    if tally.created or tally.updated or tally.deleted:
        # Visitors then find the changed pages already rendered.
        outbox.enqueue("gfmd_portal.tasks.warm_page_cache")
    return forum, tally
