"""Actions that change the forum programme: loading a forum from its data file (``load_forum``,
also the ``load_forum`` management command's work; ``exporter.py`` writes such a file)."""

import datetime
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from common import outbox
from common.datafiles import read_yaml
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
from stakeholders.models import AuditEntry

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


def _datetime(value, zone):
    """A session's start or end from the file: ISO 8601, in the forum's time zone when it has no offset."""
    if value in (None, ""):
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _untouched_by_staff(session):
    """Staff have not edited the session: each of their saves bumps its version and records a change."""
    return session.version == 1 and not session.changes.exists()


class StaffEdits:
    """Which programme rows staff changed in the browser: every staff change is audited
    (``stakeholders/audit.py``) against the row it changed, so a row with an audit entry by a person
    is theirs now, and the file no longer overwrites it. Read once per load (one query per model)."""

    def __init__(self, *models):
        self.edited = {}
        for model in models:
            content_type = ContentType.objects.get_for_model(model)
            self.edited[model] = set(
                AuditEntry.objects.filter(content_type=content_type, actor__isnull=False).values_list(
                    "object_id", flat=True
                )
            )

    def __call__(self, obj):
        return obj is not None and str(obj.pk) in self.edited[type(obj)]


def _differing(obj, values):
    return [name for name, value in values.items() if getattr(obj, name) != value]


def _skip(tally, what, fields):
    """Count a row the file would change but staff edited, and say so (the command prints it)."""
    tally.unchanged += 1
    if fields:
        tally.skipped.append(f"{what}: edited by staff, kept (the file differs in {', '.join(fields)})")


def _upsert(tally, edits, model, lookup, values, what):
    """``tally.upsert`` unless staff edited the row: then it is left as it is."""
    obj = model.objects.filter(**lookup).first()
    if edits(obj):
        _skip(tally, what, _differing(obj, values))
        return obj
    return tally.upsert(model, lookup, values)


def _load_session(tally, forum, round_tables, spec):
    """Create a session the note names if it is missing; afterwards the file's title, description and
    publication follow only while staff have not edited it (a session staff unpublished stays so)."""
    session = Session.objects.filter(forum=forum, slug=spec["slug"]).first()
    status = spec.get("status", Session.Status.DRAFT)
    zone = forum.zone()
    texts = {
        **translated("title", spec["title"]),
        **translated("description", spec.get("description", {})),
        "start": _datetime(spec.get("start"), zone),
        "end": _datetime(spec.get("end"), zone),
        "room": spec.get("room", ""),
        "co_chairing_governments": spec.get("co_chairing_governments", []),
    }
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
        _skip(tally, f"session {session.slug}", _differing(session, texts))
        return
    if status == Session.Status.PUBLISHED and session.status == Session.Status.DRAFT and session.published_at is None:
        # Loaded as a draft by an earlier version of the file, never published since: publish it now.
        texts.update(status=Session.Status.PUBLISHED, published_at=timezone.now())
    tally.upsert(Session, {"pk": session.pk}, texts)


@transaction.atomic
def load_forum(*, path=FORUM_2017_FILE, make_current=True):
    """Load a forum's programme from its data file, with the reference frameworks.

    Idempotent: a second run changes no row; a text edited in the file is updated in place;
    questions and links that the file no longer has are removed. What staff changed in the browser
    (an audited edit of the forum, a sub-theme, a round table or a question; an edited session) is
    never overwritten: the tally's ``skipped`` says which rows the file would have changed.
    """
    tally = load_frameworks()
    data = read_yaml(path)
    targets = {target.code: target for target in Target.objects.all()}
    themes = {theme.code: theme for theme in CompactTheme.objects.all()}
    edits = StaffEdits(Forum, SubTheme, RoundTable, GuidingQuestion)

    forum = _load_forum_row(tally, edits, data["forum"], themes, make_current=make_current)
    _load_sub_themes(tally, edits, forum, data["sub_themes"], targets, themes)
    round_tables = {rt.code: rt for rt in forum.round_tables.all()}
    for session_spec in data.get("sessions", []):
        _load_session(tally, forum, round_tables, session_spec)
    if tally.created or tally.updated or tally.deleted:
        # Visitors then find the changed pages already rendered.
        outbox.enqueue("gfmd_portal.tasks.warm_page_cache")
    return forum, tally


def _load_forum_row(tally, edits, spec, themes, *, make_current):
    """The forum itself from the file's ``forum`` part, made current if asked, with its links to the
    Compact themes (unless staff edited it)."""
    forum_values = {
        "edition": spec["edition"],
        "year": spec["year"],
        "city": spec.get("city", ""),
        "host_countries": spec.get("host_countries", []),
        "start_date": _date(spec.get("start_date")),
        "end_date": _date(spec.get("end_date")),
        "concept_note_date": _date(spec.get("concept_note_date")),
    }
    if "time_zone" in spec:
        forum_values["time_zone"] = spec["time_zone"]
    for field in ("title", "theme", "theme_description", "introduction", "thematic_workshop", "impact"):
        forum_values.update(translated(field, spec.get(field, {})))
    forum = _upsert(tally, edits, Forum, {"slug": spec["slug"]}, forum_values, f"forum {spec['slug']}")
    if make_current and not forum.is_current:
        Forum.objects.filter(is_current=True).update(is_current=False)
        forum.is_current = True
        forum.save(update_fields=["is_current"])
    if not edits(forum):
        _sync_links(tally, ForumCompactTheme, "forum", forum, "theme", themes, spec.get("compact_themes"))
    return forum


def _load_sub_themes(tally, edits, forum, sub_theme_specs, targets, themes):
    """The sub-themes and their round tables (numbered in the file's order across sub-themes), with
    the round tables' questions and links (unless staff edited the round table)."""
    position = 0
    for sub_spec in sub_theme_specs:
        number = sub_spec["number"]
        sub_theme = _upsert(
            tally,
            edits,
            SubTheme,
            {"forum": forum, "number": number},
            translated("title", sub_spec["title"]),
            f"sub-theme {number}",
        )
        for rt_spec in sub_spec["round_tables"]:
            position += 1
            code = str(rt_spec["code"])
            round_table = _upsert(
                tally,
                edits,
                RoundTable,
                {"forum": forum, "code": code},
                {
                    "sub_theme": sub_theme,
                    "position": position,
                    "co_chairing_governments": rt_spec.get("co_chairing_governments", []),
                    **translated("title", rt_spec["title"]),
                    **translated("expected_outcomes", rt_spec.get("expected_outcomes", {})),
                    **translated("background", rt_spec.get("background", {})),
                },
                f"round table {code}",
            )
            _load_questions(tally, edits, round_table, rt_spec.get("guiding_questions", []))
            if edits(round_table):
                continue  # its links are part of what staff edited
            _sync_links(
                tally, RoundTableTarget, "round_table", round_table, "target", targets, rt_spec.get("sdg_targets")
            )
            _sync_links(
                tally, RoundTableTheme, "round_table", round_table, "theme", themes, rt_spec.get("compact_themes")
            )


def _load_questions(tally, edits, round_table, questions):
    """The round table's questions in the file's order; questions beyond the file's are removed,
    except those staff edited."""
    for number, text in enumerate(questions, start=1):
        _upsert(
            tally,
            edits,
            GuidingQuestion,
            {"round_table": round_table, "position": number},
            translated("text", text),
            f"round table {round_table.code}, question {number}",
        )
    for question in round_table.guiding_questions.filter(position__gt=len(questions)):
        if edits(question):
            tally.unchanged += 1
            tally.skipped.append(
                f"round table {round_table.code}, question {question.position}: edited by staff, "
                "kept (the file no longer has it)"
            )
        else:
            question.delete()
            tally.deleted += 1
