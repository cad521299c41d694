"""Actions that change the forum programme."""

import datetime
from pathlib import Path

import yaml
from django.db import transaction

from gfmd_portal import outbox
from roundtables.models import (
    Forum,
    ForumCompactTheme,
    GuidingQuestion,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
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
    if tally.created or tally.updated or tally.deleted:
        # Visitors then find the changed pages already rendered.
        outbox.enqueue("gfmd_portal.tasks.warm_page_cache")
    return forum, tally
