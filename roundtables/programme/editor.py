"""The programme editor's actions: staff create and edit a forum, its sub-themes, round tables,
guiding questions and links to the frameworks; start next year's forum from this one; say which
forum is current.

Every change goes through one function here (views, tests, any later API call them). Each one
checks the permission, takes the version the form was opened at (a stale form is refused with
``VersionConflict``, the agenda's, not merged), remembers which source text each translation was
made from (``programme.translations``), and writes an audit entry and a ``ProgrammeChange``
(listed publicly once the forum is published).
"""

import datetime
import re
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from roundtables.agenda.services import VersionConflict
from roundtables.models import (
    Forum,
    ForumCompactTheme,
    GuidingQuestion,
    LinkSource,
    ProgrammeChange,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    Session,
    SubTheme,
)
from roundtables.programme.translations import LANGUAGES, note_translations, texts_of, translated_fields
from sdg_targets.models import CompactTheme, Target
from stakeholders import audit
from stakeholders.permissions import can

__all__ = ["VersionConflict"]

# The fields of each row that the editor changes besides its texts in three languages.
PLAIN_FIELDS = {
    Forum: (
        "slug",
        "edition",
        "year",
        "host_countries",
        "co_chairing_countries",
        "city",
        "start_date",
        "end_date",
        "time_zone",
        "source_language",
    ),
    SubTheme: ("number",),
    RoundTable: ("code", "sub_theme", "co_chairing_governments", "team_governments", "team_organisations"),
    GuidingQuestion: (),
}
# Texts a row cannot be without, in the forum's source language.
REQUIRED_TEXTS = {Forum: ("title", "theme"), SubTheme: ("title",), RoundTable: ("title",), GuidingQuestion: ("text",)}
ACTION_NAMES = {Forum: "forum", SubTheme: "sub_theme", RoundTable: "round_table", GuidingQuestion: "guiding_question"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_SUFFIX = re.compile("_(?:{})$".format("|".join(LANGUAGES)))


def editable_fields(model):
    """Every field name the editor's form for ``model`` sends: plain ones, then each text in each language."""
    texts = tuple(f"{field}_{language}" for field in translated_fields(model) for language in LANGUAGES)
    return PLAIN_FIELDS[model] + texts


def conflict_message():
    return _(
        "Someone else saved this while you were editing it. Your text is still in the form below and nothing "
        "was saved: note what you need, reload the page to see their changes, then apply yours again."
    )


def _require_editor(actor):
    if not can(actor, "roundtables.edit_programme"):
        raise PermissionDenied


def _forum_of(obj):
    if isinstance(obj, Forum):
        return obj
    if isinstance(obj, GuidingQuestion):
        return obj.round_table.forum
    return obj.forum


def _label(obj):
    """What changed, as the changelog names it (a code or number, the same in every language)."""
    if isinstance(obj, Forum):
        return str(obj.year)
    if isinstance(obj, SubTheme):
        return str(obj.number)
    if isinstance(obj, RoundTable):
        return obj.code
    return f"{obj.round_table.code} Q{obj.position}"


def _plain(value):
    """A field's value as the audit and changelog keep it (JSON)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultipleCountriesDescriptor":
        return [str(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _snapshot(obj):
    names = editable_fields(type(obj))
    return {name: _plain(getattr(obj, "sub_theme_id" if name == "sub_theme" else name)) for name in names}


def _record(*, obj, actor, action, before, after, forum=None):
    """One audit entry and one changelog row for ``action`` on ``obj`` (only the fields that changed)."""
    forum = forum or _forum_of(obj)
    changed = [name for name in after if before.get(name) != after[name]]
    audit.record(
        actor=actor,
        action=f"roundtables.{ACTION_NAMES[type(obj)]}.{action}",
        obj=obj,
        before={name: before.get(name, "") for name in changed},
        after={name: after[name] for name in changed},
    )
    # The changelog names fields, not languages: "title" for title_en, title_fr and title_es.
    fields = []
    for name in changed:
        base = name if name in PLAIN_FIELDS[type(obj)] else LANGUAGE_SUFFIX.sub("", name)
        if base not in fields:
            fields.append(base)
    ProgrammeChange.objects.create(
        forum=forum,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=f"{ACTION_NAMES[type(obj)]}.{action}",
        label=_label(obj)[:40],
        fields=fields,
        after_publication=Forum.objects.filter(pk=forum.pk, status=Forum.Status.PUBLISHED).exists(),
    )


def _apply(obj, data, source_language):
    """Set ``data``'s fields on ``obj`` and note which source each changed translation follows."""
    before = {field: texts_of(obj, field) for field in translated_fields(type(obj))}
    for name in editable_fields(type(obj)):
        if name not in data:
            continue
        value = data[name]
        if value is None and name not in ("start_date", "end_date", "sub_theme", "edition", "year", "number"):
            value = [] if name.endswith(("countries", "governments")) else ""
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    for field, texts in before.items():
        note_translations(obj, field, texts, source_language)


def _validate(obj, forum):
    model, errors = type(obj), {}
    for field in REQUIRED_TEXTS[model]:
        if not (getattr(obj, f"{field}_{forum.source_language}") or "").strip():
            errors[f"{field}_{forum.source_language}"] = _("Write this text in the source language.")
    if model is Forum:
        if not SLUG.match(obj.slug or "") or obj.slug == "new":
            errors["slug"] = _("Use lower-case letters, digits and hyphens, e.g. gfmd-2018.")
        elif Forum.objects.filter(slug=obj.slug).exclude(pk=obj.pk).exists():
            errors["slug"] = _("Another forum has this address.")
        for name in ("edition", "year"):
            if not getattr(obj, name):
                errors[name] = _("Give a number.")
        if obj.start_date and obj.end_date and obj.end_date < obj.start_date:
            errors["end_date"] = _("The end must come after the start.")
        if obj.time_zone not in zoneinfo.available_timezones():
            errors["time_zone"] = _("Give a time zone such as Europe/Berlin or Africa/Casablanca.")
    elif model is SubTheme:
        if not obj.number:
            errors["number"] = _("Give a number.")
        elif SubTheme.objects.filter(forum=forum, number=obj.number).exclude(pk=obj.pk).exists():
            errors["number"] = _("Another sub-theme of this forum has this number.")
    elif model is RoundTable:
        if not (obj.code or "").strip():
            errors["code"] = _("Give the round table a code, e.g. 1.1.")
        elif RoundTable.objects.filter(forum=forum, code=obj.code).exclude(pk=obj.pk).exists():
            errors["code"] = _("Another round table of this forum has this code.")
        if obj.sub_theme_id is None or obj.sub_theme.forum_id != forum.pk:
            errors["sub_theme"] = _("Choose one of this forum's sub-themes.")
    if errors:
        raise ValidationError(errors)


def _create(obj, *, actor, data, forum):
    _apply(obj, data, forum.source_language)
    _validate(obj, forum)
    obj.save()
    _record(obj=obj, actor=actor, action="created", before={}, after=_snapshot(obj), forum=forum)
    return obj


def _update(obj, *, actor, data, version):
    """Save the form opened at ``version``: refused with VersionConflict if someone saved meanwhile."""
    model = type(obj)
    if not model.objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1):
        raise VersionConflict(conflict_message())
    obj = model.objects.select_for_update(of=("self",)).get(pk=obj.pk)
    forum = _forum_of(obj)
    before = _snapshot(obj)
    _apply(obj, data, forum.source_language)
    _validate(obj, forum)
    obj.save()
    after = _snapshot(obj)
    if before != after:
        _record(obj=obj, actor=actor, action="updated", before=before, after=after, forum=forum)
    return obj


# --- Forums -----------------------------------------------------------------------------------------


@transaction.atomic
def create_forum(*, actor, data):
    """A new forum, as a draft only staff see until it is published."""
    _require_editor(actor)
    forum = Forum(status=Forum.Status.DRAFT, source_language=data.get("source_language") or "en")
    return _create(forum, actor=actor, data=data, forum=forum)


@transaction.atomic
def update_forum(*, forum, actor, data, version):
    _require_editor(actor)
    return _update(forum, actor=actor, data=data, version=version)


@transaction.atomic
def publish_forum(*, forum, actor):
    """The public sees the forum's programme; its changes from now on are listed publicly."""
    _require_editor(actor)
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if forum.status == Forum.Status.PUBLISHED:
        return forum
    before = {"status": forum.status}
    forum.status = Forum.Status.PUBLISHED
    forum.published_at = forum.published_at or timezone.now()
    forum.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor, action="roundtables.forum.published", obj=forum, before=before, after={"status": "published"}
    )
    return forum


@transaction.atomic
def make_current(*, forum, actor):
    """``forum`` becomes the one the site opens on; the previous one stays readable in the archive."""
    _require_editor(actor)
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if forum.status != Forum.Status.PUBLISHED:
        raise ValidationError(_("Publish the forum before making it the current one."))
    if forum.is_current:
        return forum
    previous = Forum.objects.filter(is_current=True).first()
    Forum.objects.filter(is_current=True).update(is_current=False)
    forum.is_current = True
    forum.save(update_fields=["is_current"])
    audit.record(
        actor=actor,
        action="roundtables.forum.made_current",
        obj=forum,
        before={"current": previous.slug if previous else ""},
        after={"current": forum.slug},
    )
    return forum


# --- Sub-themes, round tables, guiding questions ---------------------------------------------------


@transaction.atomic
def add_sub_theme(*, forum, actor, data):
    _require_editor(actor)
    return _create(SubTheme(forum=forum), actor=actor, data=data, forum=forum)


@transaction.atomic
def update_sub_theme(*, sub_theme, actor, data, version):
    _require_editor(actor)
    return _update(sub_theme, actor=actor, data=data, version=version)


@transaction.atomic
def create_round_table(*, forum, actor, data):
    """A new round table, placed after the forum's last one."""
    _require_editor(actor)
    position = (forum.round_tables.aggregate(last=Max("position"))["last"] or 0) + 1
    return _create(RoundTable(forum=forum, position=position), actor=actor, data=data, forum=forum)


@transaction.atomic
def update_round_table(*, round_table, actor, data, version):
    _require_editor(actor)
    return _update(round_table, actor=actor, data=data, version=version)


@transaction.atomic
def add_question(*, round_table, actor, data):
    """A guiding question at the end of the round table's list."""
    _require_editor(actor)
    RoundTable.objects.select_for_update().get(pk=round_table.pk)  # two additions never take one position
    position = (round_table.guiding_questions.aggregate(last=Max("position"))["last"] or 0) + 1
    question = GuidingQuestion(round_table=round_table, position=position)
    return _create(question, actor=actor, data=data, forum=round_table.forum)


@transaction.atomic
def update_question(*, question, actor, data, version):
    _require_editor(actor)
    return _update(question, actor=actor, data=data, version=version)


def _renumber(round_table, ordered_ids):
    # Positions are unique per round table and checked row by row: move them out of the way first.
    questions = {question.pk: question for question in round_table.guiding_questions.all()}
    offset = len(questions) + 1000
    GuidingQuestion.objects.filter(round_table=round_table).update(position=F("position") + offset)
    for position, pk in enumerate(ordered_ids, start=1):
        questions[pk].position = position
    GuidingQuestion.objects.bulk_update(questions.values(), ["position"])


def _question_order(round_table):
    return list(round_table.guiding_questions.order_by("position").values_list("pk", flat=True))


@transaction.atomic
def remove_question(*, question, actor):
    _require_editor(actor)
    round_table = RoundTable.objects.select_for_update().get(pk=question.round_table_id)
    before = _snapshot(question)
    audit_copy = GuidingQuestion(pk=question.pk, round_table=round_table, position=question.position)
    question.delete()
    _renumber(round_table, _question_order(round_table))
    _record(obj=audit_copy, actor=actor, action="removed", before=before, after=dict.fromkeys(before, ""))


@transaction.atomic
def reorder_questions(*, round_table, actor, order):
    """Put the questions in ``order`` (every question id of the round table, once each).

    An order that does not name exactly the round table's questions (someone added or removed
    one meanwhile) is refused rather than guessed at.
    """
    _require_editor(actor)
    round_table = RoundTable.objects.select_for_update().select_related("forum").get(pk=round_table.pk)
    current = _question_order(round_table)
    try:
        order = [int(pk) for pk in order]
    except (TypeError, ValueError):
        order = []
    if sorted(order) != sorted(current) or len(set(order)) != len(order):
        raise ValidationError(
            _("The questions changed while you were ordering them; they are shown again as they are now.")
        )
    if order == current:
        return
    _renumber(round_table, order)
    audit.record(
        actor=actor,
        action="roundtables.round_table.questions_reordered",
        obj=round_table,
        before={"order": current},
        after={"order": order},
    )
    ProgrammeChange.objects.create(
        forum=round_table.forum,
        actor=actor if actor.is_authenticated else None,
        action="round_table.questions_reordered",
        label=round_table.code,
        fields=["guiding_questions"],
        after_publication=round_table.forum.status == Forum.Status.PUBLISHED,
    )


def move_question(*, question, actor, direction):
    """One place up or down (the keyboard's way of reordering). False when it is already at that end."""
    order = _question_order(question.round_table)
    index = order.index(question.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(order):
        return False
    order[index], order[target] = order[target], order[index]
    reorder_questions(round_table=question.round_table, actor=actor, order=order)
    return True


# --- Links to the frameworks --------------------------------------------------------------------------

# What each owner may be linked to: (owner's model, kind) → (link model, its field for the framework, framework).
LINKS = {
    (RoundTable, "target"): (RoundTableTarget, "target", Target),
    (RoundTable, "theme"): (RoundTableTheme, "theme", CompactTheme),
    (Forum, "theme"): (ForumCompactTheme, "theme", CompactTheme),
}
# Where an owner's links are named in the audit and the changelog.
LINK_FIELDS = {"target": "sdg_targets", "theme": "compact_themes"}


def _link_owner(round_table, forum):
    """The round table or (without one) the forum whose links change."""
    if (round_table is None) == (forum is None):
        raise TypeError("Give a round table or a forum, not both.")
    return round_table if round_table is not None else forum


def _link_kind(owner, kind):
    """The link model, its framework field and the framework for ``kind`` on ``owner``; refused otherwise."""
    if (type(owner), kind) not in LINKS:
        if isinstance(owner, Forum):
            raise ValidationError({"kind": _("A forum is linked to Compact themes only.")})
        raise ValidationError({"kind": _("Choose an SDG target or a Compact theme.")})
    return LINKS[type(owner), kind]


@transaction.atomic
def add_link(*, actor, kind, code, source=LinkSource.PORTAL, round_table=None, forum=None):
    """Link the round table to an SDG target (kind "target", code "10.7") or a Compact theme
    (kind "theme", code "A.a"), or the forum (given instead) to a Compact theme, saying where the
    link comes from; an existing link takes the new source."""
    _require_editor(actor)
    owner = _link_owner(round_table, forum)
    link_model, name, framework = _link_kind(owner, kind)
    if source not in LinkSource.values:
        raise ValidationError({"source": _("Choose where the link comes from.")})
    other = framework.objects.filter(code=(code or "").strip()).first()
    if other is None:
        if isinstance(owner, Forum):
            raise ValidationError({"code": _("No Compact theme has this code.")})
        raise ValidationError({"code": _("No target or theme has this code.")})
    owner_field = ACTION_NAMES[type(owner)]
    existing = link_model.objects.filter(**{owner_field: owner, name: other}).first()
    old = f"{other.code} ({existing.source})" if existing else ""
    link_model.objects.update_or_create(**{owner_field: owner, name: other}, defaults={"source": source})
    _link_change(owner, actor, "link_added", kind, old, f"{other.code} ({source})")
    return other


@transaction.atomic
def remove_link(*, actor, kind, code, round_table=None, forum=None):
    """Remove the round table's (or, given instead, the forum's) link to the target or theme ``code``."""
    _require_editor(actor)
    owner = _link_owner(round_table, forum)
    link_model, name, _framework = _link_kind(owner, kind)
    link = link_model.objects.filter(**{ACTION_NAMES[type(owner)]: owner, f"{name}__code": code}).first()
    if link is None:
        raise ValidationError(_("This link is already gone."))
    old = f"{code} ({link.source})"
    link.delete()
    _link_change(owner, actor, "link_removed", kind, old, "")


def _link_change(owner, actor, action, kind, old, new):
    field = LINK_FIELDS[kind]
    forum = _forum_of(owner)
    audit.record(
        actor=actor,
        action=f"roundtables.{ACTION_NAMES[type(owner)]}.{action}",
        obj=owner,
        before={field: old},
        after={field: new},
    )
    ProgrammeChange.objects.create(
        forum=forum,
        actor=actor if actor.is_authenticated else None,
        action=f"{ACTION_NAMES[type(owner)]}.{action}",
        label=_label(owner)[:40],
        fields=[field],
        after_publication=forum.status == Forum.Status.PUBLISHED,
    )


# --- Next year from this year -----------------------------------------------------------------------


def _copy_texts(source, target):
    for field in translated_fields(type(source)):
        for language in LANGUAGES:
            name = f"{field}_{language}"
            setattr(target, name, getattr(source, name))
    target.translated_from = dict(source.translated_from or {})


def _copy_round_table(round_table, forum, sub_theme):
    """A copy of ``round_table`` in ``forum`` (under ``sub_theme``, the copy of its own), with its
    guiding questions and links to the frameworks."""
    copy = RoundTable(
        forum=forum,
        sub_theme=sub_theme,
        code=round_table.code,
        position=round_table.position,
        co_chairing_governments=round_table.co_chairing_governments,
        team_governments=round_table.team_governments,
        team_organisations=round_table.team_organisations,
    )
    _copy_texts(round_table, copy)
    copy.save()
    questions = []
    for question in round_table.guiding_questions.all():
        question_copy = GuidingQuestion(round_table=copy, position=question.position)
        _copy_texts(question, question_copy)
        questions.append(question_copy)
    GuidingQuestion.objects.bulk_create(questions)
    RoundTableTarget.objects.bulk_create(
        RoundTableTarget(round_table=copy, target_id=link.target_id, source=link.source)
        for link in round_table.target_links.all()
    )
    RoundTableTheme.objects.bulk_create(
        RoundTableTheme(round_table=copy, theme_id=link.theme_id, source=link.source)
        for link in round_table.theme_links.all()
    )
    return copy


def _copy_sessions(forum, new, round_tables):
    """Draft copies of ``forum``'s sessions in ``new``: their kinds, titles and descriptions, without
    dates, rooms or people (``round_tables``: each round table's copy by the original's key)."""
    sessions = []
    for session in forum.sessions.order_by("start", "id"):
        copy = Session(
            forum=new,
            slug=session.slug,
            kind=session.kind,
            round_table=round_tables.get(session.round_table_id),
            status=Session.Status.DRAFT,
            co_chairing_governments=session.co_chairing_governments,
        )
        for language in LANGUAGES:
            setattr(copy, f"title_{language}", getattr(session, f"title_{language}"))
            setattr(copy, f"description_{language}", getattr(session, f"description_{language}"))
        sessions.append(copy)
    Session.objects.bulk_create(sessions)
    return sessions


@transaction.atomic
def copy_forum(*, forum, actor, slug, year, edition):
    """Start a new forum from ``forum``: a draft with the same structure (sub-themes, round tables,
    guiding questions, links to the frameworks, and its sessions' kinds and titles without dates,
    rooms or people), for staff to rewrite."""
    _require_editor(actor)
    if not SLUG.match(slug or "") or slug == "new":
        raise ValidationError({"slug": _("Use lower-case letters, digits and hyphens, e.g. gfmd-2018.")})
    if Forum.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Another forum has this address.")})
    new = Forum(
        slug=slug,
        year=year,
        edition=edition,
        status=Forum.Status.DRAFT,
        is_current=False,
        time_zone=forum.time_zone,
        source_language=forum.source_language,
        show_contributor_names=forum.show_contributor_names,
        copied_from=forum,
    )
    _copy_texts(forum, new)
    new.save()
    ForumCompactTheme.objects.bulk_create(
        ForumCompactTheme(forum=new, theme_id=link.theme_id, source=link.source) for link in forum.theme_links.all()
    )
    sub_themes = {}
    for sub_theme in forum.sub_themes.all():
        copy = SubTheme(forum=new, number=sub_theme.number)
        _copy_texts(sub_theme, copy)
        copy.save()
        sub_themes[sub_theme.pk] = copy
    round_tables = {
        round_table.pk: _copy_round_table(round_table, new, sub_themes[round_table.sub_theme_id])
        for round_table in forum.round_tables.prefetch_related("guiding_questions", "target_links", "theme_links")
    }
    sessions = _copy_sessions(forum, new, round_tables)
    audit.record(
        actor=actor,
        action="roundtables.forum.copied",
        obj=new,
        before={"from": forum.slug},
        after={
            "slug": slug,
            "sub_themes": len(sub_themes),
            "round_tables": len(round_tables),
            "sessions": len(sessions),
        },
    )
    return new
