"""Demo forums: max(1, scale // 20) forums ``gfmd-demo-<n>``, each with three sub-themes, two to four
round tables per sub-theme, their guiding questions and their links to SDG targets and Global Compact
themes.

Every forum is drawn from a generator of its own (seed and forum number), from the texts of
``data/programme.yaml``, in English and French (Spanish falls back to them). The questions and links
of a demo forum that the seed no longer draws are removed; nothing outside the demo forums is.
"""

import datetime

from demo import tables
from demo.people import COUNTRIES
from demo.rows import existing_rows, row_rng, sync_rows
from roundtables.models import (
    Forum,
    ForumCompactTheme,
    GuidingQuestion,
    LinkSource,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    SubTheme,
)
from sdg_targets.models import CompactTheme, Target
from sdg_targets.services import translated

DEMO_FORUM_PREFIX = "gfmd-demo-"
FORUMS_PER_SCALE = 20  # one demo forum per 20 of scale, at least one
SUB_THEMES_PER_FORUM = 3

_PROGRAMME = tables.load("programme")
# {field: {"en": template, "fr": template}}
FORUM_TEXTS = _PROGRAMME["forum_texts"]
# (English, French) pairs; the topics are noun phrases, the French ones with their article.
FORUM_THEMES = tables.en_fr(_PROGRAMME["forum_themes"])
SUB_THEME_TITLES = tables.en_fr(_PROGRAMME["sub_theme_titles"])
TOPICS = tables.en_fr(_PROGRAMME["topics"])
ROUND_TABLE_TITLES = tables.en_fr(_PROGRAMME["round_table_titles"])
EXPECTED_OUTCOMES = tables.en_fr(_PROGRAMME["expected_outcomes"])
BACKGROUNDS = tables.en_fr(_PROGRAMME["backgrounds"])
GUIDING_QUESTIONS = tables.en_fr(_PROGRAMME["guiding_questions"])


def _texts(rng, pairs, topic, count):
    en, fr = [], []
    for template_en, template_fr in rng.sample(pairs, count):
        en.append(_fill(template_en, topic))
        fr.append(_fill(template_fr, topic))
    return {"en": " ".join(en), "fr": " ".join(fr)}


def _fill(template, topic):
    t, f = topic
    return template.format(t=t, f=f, T=t[:1].upper() + t[1:], F=f[:1].upper() + f[1:])


def _forum_values(rng, seed, number):
    """The field values of demo forum ``number``."""
    lang = rng.choice(sorted(COUNTRIES))
    hosts = rng.sample(COUNTRIES[lang], rng.choice([1, 1, 2]))
    city = rng.choice(hosts[0][1])
    year = 2017 + number
    start = datetime.date(year, rng.randint(1, 11), rng.randint(1, 25))
    theme = dict(zip(("en", "fr"), rng.choice(FORUM_THEMES), strict=True))
    texts = {
        field: {
            language: template.format(number=number, city=city, year=year, seed=seed, theme=theme[language])
            for language, template in templates.items()
        }
        for field, templates in FORUM_TEXTS.items()
    }
    return {
        "edition": 100 + number,
        "year": year,
        "city": city,
        "host_countries": sorted(code for code, _cities in hosts),
        "start_date": start,
        "end_date": start + datetime.timedelta(days=rng.randint(2, 3)),
        "concept_note_date": start - datetime.timedelta(days=rng.randint(120, 240)),
        "is_current": False,
        **translated("title", texts["title"]),
        **translated("theme", theme),
        **translated("theme_description", texts["theme_description"]),
        **translated("introduction", texts["introduction"]),
        **translated("thematic_workshop", texts["thematic_workshop"]),
        **translated("impact", texts["impact"]),
    }


def _round_table(rng, code, position, topic, targets, themes):
    """Round table ``code`` on ``topic``: its values, questions and links (sub_number left to the caller)."""
    title = _texts(rng, ROUND_TABLE_TITLES, topic, 1)
    questions = [
        translated("text", {"en": _fill(en, topic), "fr": _fill(fr, topic)})
        for en, fr in rng.sample(GUIDING_QUESTIONS, rng.randint(3, 6))
    ]
    return {
        "code": code,
        "values": {
            "position": position,
            "co_chairing_governments": sorted(
                country for country, _cities in rng.sample(COUNTRIES[rng.choice(sorted(COUNTRIES))], 2)
            ),
            **translated("title", title),
            **translated("expected_outcomes", _texts(rng, EXPECTED_OUTCOMES, topic, 2)),
            **translated("background", _texts(rng, BACKGROUNDS, topic, 3)),
        },
        "questions": questions,
        "targets": {
            target.pk: rng.choice(LinkSource.values)
            for target in rng.sample(targets, min(len(targets), rng.randint(1, 3)))
        },
        "themes": {
            theme.pk: rng.choice(LinkSource.values) for theme in rng.sample(themes, min(len(themes), rng.randint(1, 2)))
        },
    }


def _forum_spec(seed, number, targets, themes):
    """Everything about demo forum ``number``, drawn from its own generator."""
    rng = row_rng(seed, "forum", number)
    forum = _forum_values(rng, seed, number)
    forum_themes = {
        theme.pk: rng.choice(LinkSource.values) for theme in rng.sample(themes, min(len(themes), rng.randint(2, 3)))
    }
    sub_themes, round_tables = [], []
    topics = rng.sample(TOPICS, SUB_THEMES_PER_FORUM * 4)
    position = 0
    for sub_number, (title_en, title_fr) in enumerate(rng.sample(SUB_THEME_TITLES, SUB_THEMES_PER_FORUM), start=1):
        sub_themes.append((sub_number, translated("title", {"en": title_en, "fr": title_fr})))
        for rt_number in range(1, rng.randint(2, 4) + 1):
            position += 1
            round_table = _round_table(rng, f"{sub_number}.{rt_number}", position, topics.pop(), targets, themes)
            round_tables.append({**round_table, "sub_number": sub_number})
    return {
        "slug": f"{DEMO_FORUM_PREFIX}{number}",
        "values": forum,
        "themes": forum_themes,
        "sub_themes": sub_themes,
        "round_tables": round_tables,
    }


def _seed_forums_and_round_tables(summary, specs):
    """Forums, their theme links, sub-themes and round tables: ({slug: forum id}, {(forum id, code): row})."""
    slugs = [spec["slug"] for spec in specs]
    forums = sync_rows(
        summary.tally("forums"),
        Forum,
        ("slug",),
        {(spec["slug"],): spec["values"] for spec in specs},
        existing_rows(Forum.objects.all(), "slug", slugs),
    )
    forum_ids = [forum.pk for forum in forums.values()]
    forum_of = {spec["slug"]: forums[(spec["slug"],)].pk for spec in specs}

    sync_rows(
        summary.tally("forum theme links"),
        ForumCompactTheme,
        ("forum_id", "theme_id"),
        {
            (forum_of[spec["slug"]], theme_id): {"source": source}
            for spec in specs
            for theme_id, source in spec["themes"].items()
        },
        existing_rows(ForumCompactTheme.objects.all(), "forum_id", forum_ids),
        delete_others=True,
    )
    sub_themes = sync_rows(
        summary.tally("sub-themes"),
        SubTheme,
        ("forum_id", "number"),
        {(forum_of[spec["slug"]], number): values for spec in specs for number, values in spec["sub_themes"]},
        existing_rows(SubTheme.objects.all(), "forum_id", forum_ids),
        delete_others=True,
    )
    wanted_rts = {}
    for spec in specs:
        forum_id = forum_of[spec["slug"]]
        for rt in spec["round_tables"]:
            sub_theme_id = sub_themes[(forum_id, rt["sub_number"])].pk
            wanted_rts[(forum_id, rt["code"])] = {"sub_theme_id": sub_theme_id, **rt["values"]}
    round_tables = sync_rows(
        summary.tally("round tables"),
        RoundTable,
        ("forum_id", "code"),
        wanted_rts,
        existing_rows(RoundTable.objects.all(), "forum_id", forum_ids),
        delete_others=True,
    )
    summary.totals.update(
        {
            "forums": len(forums),
            "forum theme links": sum(len(spec["themes"]) for spec in specs),
            "sub-themes": len(sub_themes),
            "round tables": len(round_tables),
        }
    )
    return forum_of, round_tables


def _seed_questions_and_links(summary, specs, forum_of, round_tables):
    """The round tables' guiding questions and their links to SDG targets and Compact themes."""
    questions, target_links, theme_links = {}, {}, {}
    for spec in specs:
        forum_id = forum_of[spec["slug"]]
        for rt in spec["round_tables"]:
            rt_id = round_tables[(forum_id, rt["code"])].pk
            for position, values in enumerate(rt["questions"], start=1):
                questions[(rt_id, position)] = values
            for target_id, source in rt["targets"].items():
                target_links[(rt_id, target_id)] = {"source": source}
            for theme_id, source in rt["themes"].items():
                theme_links[(rt_id, theme_id)] = {"source": source}
    rt_ids = [rt.pk for rt in round_tables.values()]
    for label, model, key_fields, wanted in (
        ("guiding questions", GuidingQuestion, ("round_table_id", "position"), questions),
        ("round-table target links", RoundTableTarget, ("round_table_id", "target_id"), target_links),
        ("round-table theme links", RoundTableTheme, ("round_table_id", "theme_id"), theme_links),
    ):
        sync_rows(
            summary.tally(label),
            model,
            key_fields,
            wanted,
            existing_rows(model.objects.all(), "round_table_id", rt_ids),
            delete_others=True,
        )
        summary.totals[label] = len(wanted)


def seed_forums(summary, scale, seed):
    """The demo forums for ``scale`` and ``seed``, tallied in ``summary`` (a ``DemoSummary``)."""
    targets = list(Target.objects.order_by("code"))
    themes = list(CompactTheme.objects.order_by("code"))
    specs = [_forum_spec(seed, number, targets, themes) for number in range(1, max(1, scale // FORUMS_PER_SCALE) + 1)]
    forum_of, round_tables = _seed_forums_and_round_tables(summary, specs)
    _seed_questions_and_links(summary, specs, forum_of, round_tables)
