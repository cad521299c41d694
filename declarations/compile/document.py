"""The whole draft, from the round tables' sections: paragraph dicts, positioned and numbered.

``build_paragraphs`` puts together, in the draft's language: the title and the preamble (the forum
and its participation), per sub-theme its heading and per round table its heading and its parts
(``declarations.compile.sections``), the section by Compact theme (all round tables together) and
the annex of contributing organisations.
"""

from collections import Counter

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from declarations.compile.paragraphs import (
    cluster_paragraph,
    counted,
    date_range,
    format_number,
    heading,
    listing,
    paragraph,
)
from declarations.compile.sections import PER_THEME
from declarations.models import Paragraph
from sdg_targets.models import CompactTheme
from stakeholders.models import Constituency, constituency_label


def build_paragraphs(forum, language, contents):
    """The whole draft as paragraph dicts, positioned and numbered, from the round tables' sections."""
    with translation.override(language):
        preamble, organisations = _preamble(forum, contents)
        paragraphs = list(preamble)
        sub_themes = dict(forum.sub_themes.values_list("number", "title"))
        current_sub_theme = None
        for content in contents:
            if content["sub_theme"] != current_sub_theme:
                current_sub_theme = content["sub_theme"]
                paragraphs.append(
                    heading(
                        f"subtheme:{current_sub_theme}",
                        _("Sub-theme %(number)s: %(title)s")
                        % {"number": current_sub_theme, "title": sub_themes.get(current_sub_theme, "")},
                        2,
                    )
                )
            paragraphs.extend(_round_table_part(content))
        paragraphs.extend(_themes_section(contents))
        paragraphs.extend(_annex(organisations))
        _number_paragraphs(paragraphs)
        _write_references(paragraphs)
    return paragraphs


def _write_references(paragraphs):
    """The text of the paragraphs that name recommendations by number ("The recommendations in
    paragraphs 12, 14 and 17 address SDG target 10.7."); then the keys used to find them go."""
    numbers = {}
    for item in paragraphs:
        if "representative" in item and item["section"].endswith(":recommendations"):
            numbers[(item["round_table"], item["representative"])] = item["number"]
    for item in paragraphs:
        refers = item.pop("refers", None)
        if refers is not None:
            item["text"] = " ".join(
                _references_sentence(refers["field"], codes, [numbers[(item["round_table"], pk)] for pk in reps])
                for codes, reps in refers["groups"]
            )
    for item in paragraphs:
        item.pop("representative", None)


def _references_sentence(field, codes, numbers):
    if field == "targets":
        frameworks = ngettext("SDG target %(codes)s", "SDG targets %(codes)s", len(codes))
    else:
        frameworks = ngettext("Global Compact theme %(codes)s", "Global Compact themes %(codes)s", len(codes))
    return ngettext(
        "The recommendation in paragraph %(numbers)s addresses %(frameworks)s.",
        "The recommendations in paragraphs %(numbers)s address %(frameworks)s.",
        len(numbers),
    ) % {"numbers": listing(_ranges(numbers)), "frameworks": frameworks % {"codes": listing(codes)}}


def _ranges(numbers):
    """Paragraph numbers with runs of three or more as ranges: 6, 7, 8, 10 -> "6–8", "10"."""
    values = sorted(int(number) for number in numbers)
    runs = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    result = []
    for first, last in runs:
        if last - first >= 2:
            result.append(f"{first}–{last}")
        else:
            result.extend(str(value) for value in range(first, last + 1))
    return result


def _round_table_part(content):
    """A round table's heading, then each of its parts that has paragraphs, under its own heading."""
    code = content["round_table"]
    paragraphs = [
        heading(
            f"rt:{code}",
            _("Round table %(code)s: %(title)s") % {"code": code, "title": content["title"]},
            3,
            round_table=code,
        )
    ]
    parts = [
        ("messages", _("Key messages")),
        ("recommendations", _("Recommendations")),
        ("frameworks", _("SDG targets and Global Compact themes")),
        ("practices", _("Good practices")),
    ]
    for part, title in parts:
        section = f"rt:{code}:{part}"
        items = [item for item in content["paragraphs"] if item["section"] == section]
        if items:
            paragraphs.append(heading(section, title, 4, round_table=code))
            paragraphs.extend(items)
    return paragraphs


# The preamble and the annex say what the forum was and who took part; they are not numbered: a
# numbered paragraph is a finding of the body, and each one traces to contributions, reports or practices.
UNNUMBERED_SECTIONS = ("preamble", "annex")


def _number_paragraphs(paragraphs):
    """Positions 1..n; the body's paragraphs (not headings, not the preamble's or the annex's)
    numbered "1", "2", … through the whole document."""
    number = 0
    for position, item in enumerate(paragraphs, start=1):
        item["position"] = position
        if item["kind"] == Paragraph.Kind.PARAGRAPH and item["section"] not in UNNUMBERED_SECTIONS:
            number += 1
            item["number"] = str(number)
        else:
            item["number"] = ""


def _preamble(forum, contents):
    """The title, the preamble: the forum, then its participation; and the contributing
    organisations (for the annex)."""
    paragraphs = [
        heading("preamble", _("Presidential declaration — %(forum)s") % {"forum": forum.title}, 1),
        heading("preamble", _("Preamble"), 2),
        paragraph("preamble", _forum_text(forum)),
    ]
    participation, organisations = _participation(contents)
    paragraphs.append(paragraph("preamble", participation))
    return paragraphs, organisations


def _forum_text(forum):
    """Where, when, under whose co-chairmanship and on what theme the forum met (what is known)."""
    hosts = sorted(str(countries.name(code)) for code in forum.host_countries)
    facts = {
        "forum": forum.title,
        "theme": forum.theme,
        "city": forum.city,
        "dates": date_range(forum.start_date, forum.end_date) if forum.start_date else "",
        "hosts": listing(hosts),
    }
    if forum.city and forum.start_date and hosts:
        text = _(
            "The %(forum)s met in %(city)s on %(dates)s under the co-chairmanship of %(hosts)s, "
            "on the theme “%(theme)s”."
        )
    elif hosts:
        text = _("The %(forum)s met under the co-chairmanship of %(hosts)s, on the theme “%(theme)s”.")
    else:
        text = _("The %(forum)s met on the theme “%(theme)s”.")
    return text % facts


def _participation(contents):
    """The text counting contributions, organisations and countries, by constituency; and the
    contributing organisations as (constituency, name, country)."""
    by_constituency = Counter()
    for content in contents:
        by_constituency.update(content["by_constituency"])
    organisations = {tuple(row) for content in contents for row in content["organisations"]}
    country_codes = {code for content in contents for code in content["countries"]}
    total = sum(by_constituency.values())
    order = {value: index for index, value in enumerate(Constituency.values)}
    breakdown = "; ".join(
        _("%(constituency)s %(count)s")
        % {"constituency": constituency_label(value, missing=_("not stated")), "count": format_number(count)}
        for value, count in sorted(by_constituency.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    )
    round_tables = counted("The round table", "The %(count)s round tables", len(contents))
    if total:
        text = _(
            "%(round_tables)s received %(contributions)s from %(organisations)s of %(countries)s, "
            "by constituency: %(breakdown)s."
        ) % {
            "round_tables": round_tables,
            "contributions": counted("%(count)s contribution", "%(count)s contributions", total),
            "organisations": counted(
                "%(count)s organisation",
                "%(count)s organisations",
                len({(name, country) for _c, name, country in organisations}),
            ),
            "countries": counted("%(count)s country", "%(count)s countries", len(country_codes)),
            "breakdown": breakdown,
        }
    else:
        text = _("%(round_tables)s received no contribution yet.") % {"round_tables": round_tables}
    return text, organisations


def _themes_section(contents):
    titles = dict(CompactTheme.objects.values_list("code", "title"))
    merged = {}
    for content in contents:
        for theme, entry in content["by_theme"].items():
            target = merged.setdefault(theme, {"top": [], "clusters": 0, "contributions": 0, "rest_sources": []})
            target["top"].extend(entry["top"])
            target["clusters"] += entry["clusters"]
            target["contributions"] += entry["contributions"]
            target["rest_sources"].extend(entry.get("rest_sources", []))
    if not merged:
        return []
    position = {content["round_table"]: index for index, content in enumerate(contents)}
    paragraphs = [heading("themes", _("Recommendations by Global Compact theme"), 2)]
    for theme in sorted(merged):
        entry = merged[theme]
        section = f"themes:{theme}"
        ranked = sorted(
            entry["top"],
            key=lambda c: (-c["support_count"], position[c["round_table"]], c["representative"]),
        )
        shown, rest = ranked[:PER_THEME], ranked[PER_THEME:]
        paragraphs.append(heading(section, f"{theme} {titles.get(theme, '')}".strip(), 3))
        paragraphs.extend(cluster_paragraph(section, cluster) for cluster in shown)
        hidden = entry["clusters"] - len(shown)
        if hidden:
            sources = sorted({pk for cluster in rest for pk in cluster["sources"]} | set(entry["rest_sources"]))
            paragraphs.append(
                paragraph(
                    section,
                    ngettext(
                        "%(count)s other recommendation (%(contributions)s) addresses this theme.",
                        "%(count)s other recommendations (%(contributions)s) address this theme.",
                        hidden,
                    )
                    % {
                        "count": format_number(hidden),
                        "contributions": counted(
                            "%(count)s contribution",
                            "%(count)s contributions",
                            entry["contributions"] - sum(c["support_count"] for c in shown),
                        ),
                    },
                    sources=sources,
                    themes=[theme],
                )
            )
    return paragraphs


def _annex(organisations):
    paragraphs = [heading("annex", _("Annex: contributing organisations"), 2)]
    grouped = {}
    for constituency, name, country in organisations:
        grouped.setdefault(constituency, set()).add((name, country))
    order = {value: index for index, value in enumerate(Constituency.values)}
    for constituency in sorted(grouped, key=lambda value: (order.get(value, len(order)), value)):
        names = [
            f"{name} ({countries.name(country)})" if country else name
            for name, country in sorted(grouped[constituency])
        ]
        paragraphs.append(
            paragraph(
                "annex",
                _("%(constituency)s (%(count)s): %(names)s.")
                % {
                    "constituency": constituency_label(constituency, missing=_("not stated")),
                    "count": format_number(len(names)),
                    "names": "; ".join(names),
                },
            )
        )
    if len(paragraphs) == 1:
        paragraphs.append(paragraph("annex", _("No organisation has contributed yet.")))
    return paragraphs
