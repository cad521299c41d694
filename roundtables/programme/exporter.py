"""A forum written out as the data file ``load_forum`` reads (``export_forum``): the same shape as
``data/forum_2017.yaml``, so that a forum moves between portals, or into a new year's file, as data.

The round trip holds: export, load the file into an empty database, export again, the same text.
"""

import yaml
from django.db.models import Prefetch

from roundtables.models import GuidingQuestion, RoundTable, RoundTableTarget, RoundTableTheme, Session
from sdg_targets.services import LANGUAGES

FORUM_TEXTS = ("title", "theme", "theme_description", "introduction", "thematic_workshop", "impact")


def _texts(obj, field):
    """{"en": …, "fr": …, "es": …} with the languages that have a text (the loader's ``translated``)."""
    values = {code: (getattr(obj, f"{field}_{code}") or "").strip() for code in LANGUAGES}
    return {code: text for code, text in values.items() if text}


def _links(links, other):
    return [{"code": getattr(link, other).code, "source": link.source} for link in links]


def _put(spec, key, value):
    """Add ``key`` only when it has a value: the file stays as short as a hand-written one."""
    if value not in (None, "", [], {}):
        spec[key] = value


def _local(value, zone):
    return value.astimezone(zone).isoformat() if value else None


def forum_data(forum):
    """The forum's programme and sessions as the data file's structure (plain dicts and lists)."""
    spec = {"slug": forum.slug, "edition": forum.edition, "year": forum.year}
    for field in FORUM_TEXTS:
        _put(spec, field, _texts(forum, field))
    _put(spec, "host_countries", [str(country.code) for country in forum.host_countries])
    _put(spec, "city", forum.city)
    for field in ("start_date", "end_date", "concept_note_date"):
        _put(spec, field, getattr(forum, field))
    spec["time_zone"] = forum.time_zone
    _put(spec, "compact_themes", _links(forum.theme_links.select_related("theme").order_by("theme__code"), "theme"))

    round_tables = RoundTable.objects.filter(forum=forum).order_by("position", "code")
    sub_themes = []
    for sub_theme in forum.sub_themes.order_by("number").prefetch_related(
        Prefetch(
            "round_tables",
            queryset=round_tables.prefetch_related(
                Prefetch("guiding_questions", queryset=GuidingQuestion.objects.order_by("position")),
                Prefetch("target_links", queryset=RoundTableTarget.objects.select_related("target").order_by("id")),
                Prefetch("theme_links", queryset=RoundTableTheme.objects.select_related("theme").order_by("id")),
            ),
        )
    ):
        tables = []
        for round_table in sub_theme.round_tables.all():
            table = {"code": round_table.code, "title": _texts(round_table, "title")}
            _put(table, "expected_outcomes", _texts(round_table, "expected_outcomes"))
            _put(table, "background", _texts(round_table, "background"))
            _put(table, "co_chairing_governments", [str(c.code) for c in round_table.co_chairing_governments])
            _put(table, "guiding_questions", [_texts(q, "text") for q in round_table.guiding_questions.all()])
            _put(table, "compact_themes", _links(round_table.theme_links.all(), "theme"))
            _put(table, "sdg_targets", _links(round_table.target_links.all(), "target"))
            tables.append(table)
        sub_themes.append({"number": sub_theme.number, "title": _texts(sub_theme, "title"), "round_tables": tables})

    zone = forum.zone()
    sessions = []
    for session in Session.objects.filter(forum=forum).select_related("round_table").order_by("id"):
        item = {"slug": session.slug, "kind": session.kind, "status": session.status}
        _put(item, "round_table", session.round_table.code if session.round_table else None)
        _put(item, "start", _local(session.start, zone))
        _put(item, "end", _local(session.end, zone))
        _put(item, "venue", session.venue)
        _put(item, "room", session.room)
        _put(item, "co_chairing_governments", [str(c.code) for c in session.co_chairing_governments])
        item["title"] = _texts(session, "title")
        _put(item, "description", _texts(session, "description"))
        sessions.append(item)
    return {"forum": spec, "sub_themes": sub_themes, "sessions": sessions}


class _Dumper(yaml.SafeDumper):
    """Texts of several lines as literal blocks, as the hand-kept file writes them."""


def _text(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(data):
    """The data file's text (UTF-8, keys in the loader's order, long texts unwrapped)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def export_forum(*, forum):
    """The text of ``forum``'s data file."""
    return dump(forum_data(forum))
