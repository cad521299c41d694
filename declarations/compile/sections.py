"""One round table of the draft: its contributions read once, merged, and turned into its section.

``compile_round_table`` is what one ``compile_round_table`` task computes; its result (JSON) is kept
in the job's ``CompileSection`` until the assembly (``declarations.compile.document``) puts the
sections together. Steps: read the contributions (``_read_contributions``: hash, near-duplicate
clusters, participation and tag counts, in one streamed pass), then the four parts of the round
table: key messages, recommendations, SDG targets and Compact themes, good practices; and what the
section by Compact theme needs from it (``_by_theme``).
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from declarations import dedup
from declarations.compile.inputs import (
    contribution_rows,
    feed_row,
    round_table_hasher,
    round_table_meta,
    round_table_practices,
    round_table_reports,
)
from declarations.compile.paragraphs import cluster_paragraph, counted, format_number, language_mark, listing, paragraph
from declarations.compile.synthesis import key_messages, support_sentence
from roundtables.models import Contribution
from sdg_targets.models import Target
from stakeholders.regions import regions_of

RECOMMENDATIONS = 30  # recommendations listed per round table (the most supported)
PER_THEME = 20  # recommendations listed per Compact theme
PRACTICES = 10  # good practices cited per round table
REPORT_LANGUAGES = ("en", "fr", "es")

REC = Contribution.Kind.RECOMMENDATION
STATEMENT = Contribution.Kind.STATEMENT


class _Clusters:
    """Contributions of one kind of one round table, merged into near-duplicate clusters."""

    def __init__(self):
        self.clusterer = dedup.Clusterer()
        # contribution id -> (text, language, constituency, targets, themes, organisation, country)
        self.info = {}
        self.same_as = []  # (id, id) staff marked the same in another language

    def add(self, pk, text, language, constituency, targets, themes, organisation, country):
        self.info[pk] = (text, language, constituency, targets, themes, organisation, country)
        self.clusterer.add(pk, text, language)

    def join(self, pk, original, text, language, constituency, targets, themes, organisation, country):
        if original not in self.info:
            return False
        self.info[pk] = (text, language, constituency, targets, themes, organisation, country)
        return self.clusterer.join(pk, original)

    def _merged_across_languages(self):
        """The clusters, those that staff linked ("the same as") merged into the earliest of them."""
        parent = list(range(len(self.clusterer.clusters)))

        def root(index):
            while parent[index] != index:
                parent[index] = parent[parent[index]]
                index = parent[index]
            return index

        for pk, other in self.same_as:
            first, second = self.clusterer.cluster_of(pk), self.clusterer.cluster_of(other)
            if first is not None and second is not None and root(first) != root(second):
                low, high = sorted((root(first), root(second)))
                parent[high] = low
        merged = {}
        for index, members in enumerate(self.clusterer.clusters):
            merged.setdefault(root(index), []).extend(members)
        return [sorted(members) for _index, members in sorted(merged.items())]

    def clusters(self, draft_language, round_table_code, *, members=False):
        """Cluster dicts, most supported first, then the broadest (most constituencies, then most
        regions), then those in ``draft_language``, then the earliest representative. Linked clusters
        are one; its representative (its text) is its earliest contribution in ``draft_language``,
        else its earliest. ``members=True`` adds what the synthesis needs: ``plain`` (the text
        unmarked), ``language`` and ``members`` [(id, constituency, organisation)]."""
        info = self.info
        result = []
        for cluster_members in self._merged_across_languages():
            representative = next((pk for pk in cluster_members if info[pk][1] == draft_language), cluster_members[0])
            text, language = info[representative][:2]
            cluster = {
                "text": language_mark(text, language, draft_language),
                "representative": representative,
                "sources": sorted(cluster_members),
                "support_count": len(cluster_members),
                "constituencies": sorted({info[pk][2] for pk in cluster_members if info[pk][2]}),
                "regions": regions_of(info[pk][6] for pk in cluster_members if info[pk][6]),
                "round_table": round_table_code,
                "targets": sorted({code for pk in cluster_members for code in info[pk][3]}, key=Target.sort_key),
                "themes": sorted({code for pk in cluster_members for code in info[pk][4]}),
            }
            if members:
                cluster["plain"] = text
                cluster["language"] = language
                cluster["members"] = [(pk, info[pk][2], info[pk][5]) for pk in sorted(cluster_members)]
            result.append(cluster)
        result.sort(
            key=lambda cluster: (
                -cluster["support_count"],
                -len(cluster["constituencies"]),
                -len(cluster["regions"]),
                info[cluster["representative"]][1] != draft_language,  # then the draft's own language
                cluster["representative"],
            )
        )
        return result


def _choose_reports(reports, language):
    """One report per session: in ``language``, else the first of REPORT_LANGUAGES there is."""
    by_session = {}
    for pk, session_id, report_language, text in reports:
        by_session.setdefault(session_id, {})[report_language] = (pk, report_language, text)
    chosen = []
    for versions in by_session.values():
        for candidate in (language, *REPORT_LANGUAGES, *sorted(versions)):
            if candidate in versions:
                chosen.append(versions[candidate])
                break
    return chosen


def compile_round_table(round_table, language, *, progress=None):
    """The part of the draft about one round table, with what the preamble, the themes section and
    the annex need from it (a JSON-able dict; see ``build_paragraphs``)."""
    code = round_table.code
    reports = round_table_reports(round_table)
    practices = round_table_practices(round_table)
    meta = round_table_meta(round_table, language)
    digest = round_table_hasher(round_table, language, reports, practices, meta)
    read = _read_contributions(round_table.pk, digest, progress)
    recommendations = read.clusters[REC].clusters(language, code)
    for cluster in recommendations:
        cluster["text"] = f"{cluster['text']} {support_sentence(cluster)}"
    statements = read.clusters[STATEMENT].clusters(language, code, members=True)
    paragraphs = [
        *_key_messages(code, reports, statements, language, show_names=round_table.forum.show_contributor_names),
        *_recommendations(code, recommendations),
        *_frameworks(code, recommendations[:RECOMMENDATIONS]),
        *_good_practices(code, practices, language),
    ]
    return {
        "round_table": code,
        "sub_theme": round_table.sub_theme.number,
        "title": round_table.title,
        "digest": digest.hexdigest(),
        "processed": read.processed,
        "paragraphs": paragraphs,
        "by_theme": _by_theme(recommendations),
        "by_constituency": dict(sorted(read.by_constituency.items())),
        "organisations": sorted(read.organisations),
        "countries": sorted(read.country_codes),
    }


@dataclass
class _Reading:
    """What one pass over a round table's contributions gathered."""

    clusters: dict  # kind -> _Clusters
    by_constituency: Counter
    organisations: set  # (constituency, organisation name, country)
    country_codes: set
    processed: int


def _read_contributions(round_table_id, digest, progress):
    """Stream the round table's contributions once: each row goes into ``digest``, into the clusters
    of its kind (a duplicate joins its original's cluster) and into the counts."""
    clusters = {REC: _Clusters(), STATEMENT: _Clusters()}
    kind_of = {}
    by_constituency = Counter()
    organisations = set()
    country_codes = set()
    processed = 0
    for row in contribution_rows(round_table_id):
        feed_row(digest, row)
        (pk, text, kind, row_language, constituency, organisation_name, country, status, original, same_as, targets,
         themes) = row  # fmt: skip
        processed += 1
        by_constituency[constituency or ""] += 1
        if organisation_name:
            organisations.add((constituency or "", organisation_name, country))
        if country:
            country_codes.add(country)
        values = (text, row_language, constituency, targets, themes, organisation_name, country)
        if status == Contribution.Status.DUPLICATE and original in kind_of:
            clusters[kind_of[original]].join(pk, original, *values)
            kind_of[pk] = kind_of[original]
        else:
            clusters[kind].add(pk, *values)
            kind_of[pk] = kind
        if same_as is not None:
            clusters[kind_of[pk]].same_as.append((pk, same_as))
        if progress is not None:
            progress.step()
    if progress is not None:
        progress.write()
    return _Reading(clusters, by_constituency, organisations, country_codes, processed)


def _key_messages(code, reports, statements, language, *, show_names):
    """The rapporteurs' reports (a paragraph per block of text), the synthesis of the statements
    (``declarations.compile.synthesis``) and a paragraph counting the statements it does not cite."""
    paragraphs = []
    messages = f"rt:{code}:messages"
    for pk, report_language, text in _choose_reports(reports, language):
        for block in (part.strip() for part in text.replace("\r\n", "\n").split("\n\n")):
            if block:
                paragraphs.append(
                    paragraph(
                        messages,
                        language_mark(" ".join(block.split()), report_language, language),
                        round_table=code,
                        reports=[pk],
                    )
                )
    synthesis = key_messages(messages, code, statements, language, show_names=show_names)
    paragraphs.extend(synthesis)
    cited = {pk for item in synthesis for pk in item["sources"]}
    for cluster in statements:
        del cluster["members"], cluster["plain"], cluster["language"]
    others = [cluster for cluster in statements if cluster["representative"] not in cited]
    if others:
        sentence = ngettext(
            "%(count)s other statement (%(contributions)s) was received.",
            "%(count)s other statements (%(contributions)s) were received.",
            len(others),
        )
        paragraphs.append(_others_paragraph(messages, code, others, sentence))
    return paragraphs


def _others_paragraph(section, code, others, sentence):
    """The paragraph of ``section`` that counts the clusters ``others`` left out of the text and their
    contributions, citing them all: ``sentence`` (translated for their number) with %(count)s and
    %(contributions)s."""
    return paragraph(
        section,
        sentence
        % {
            "count": format_number(len(others)),
            "contributions": counted(
                "%(count)s contribution", "%(count)s contributions", sum(c["support_count"] for c in others)
            ),
        },
        round_table=code,
        sources=sorted(pk for cluster in others for pk in cluster["sources"]),
    )


def _recommendations(code, recommendations):
    """The most supported recommendations and a paragraph counting the others."""
    section = f"rt:{code}:recommendations"
    paragraphs = [cluster_paragraph(section, cluster) for cluster in recommendations[:RECOMMENDATIONS]]
    others = recommendations[RECOMMENDATIONS:]
    if others:
        sentence = ngettext(
            "%(count)s other recommendation (%(contributions)s), supported by fewer contributions, is kept "
            "with this draft.",
            "%(count)s other recommendations (%(contributions)s), each supported by fewer contributions, are "
            "kept with this draft.",
            len(others),
        )
        paragraphs.append(_others_paragraph(section, code, others, sentence))
    return paragraphs


def _frameworks(code, shown):
    """The SDG targets and the Compact themes that the listed recommendations address, said of those
    recommendations: one paragraph for the targets, one for the themes, each citing the
    recommendations' contributions. The sentences name the recommendations by their paragraph
    numbers, known only once the draft is numbered: ``refers`` holds, per group of codes addressed
    by the same recommendations, the codes and the recommendations' representatives
    (``declarations.compile.document`` writes the text)."""
    section = f"rt:{code}:frameworks"
    paragraphs = []
    for field, sort_key in (("targets", Target.sort_key), ("themes", str)):
        by_code = {}
        for cluster in shown:
            for value in cluster[field]:
                by_code.setdefault(value, []).append(cluster)
        if not by_code:
            continue
        groups = {}  # the same recommendations -> the codes they address together
        for value in sorted(by_code, key=sort_key):
            representatives = tuple(cluster["representative"] for cluster in by_code[value])
            groups.setdefault(representatives, []).append(value)
        item = paragraph(
            section,
            "",
            round_table=code,
            sources=sorted({pk for clusters in by_code.values() for cluster in clusters for pk in cluster["sources"]}),
            **{field: sorted(by_code, key=sort_key)},
        )
        item["refers"] = {"field": field, "groups": [[codes, list(reps)] for reps, codes in groups.items()]}
        paragraphs.append(item)
    return paragraphs


def _good_practices(code, practices, language):
    """The good practices cited: one sentence naming up to PRACTICES published good practices (title
    in quotation marks, its language marked when another, and countries), then a count of the others."""
    paragraphs = []
    section = f"rt:{code}:practices"
    cited = []
    for _pk, title, practice_language, practice_countries in practices[:PRACTICES]:
        # values_list gives a multiple CountryField as stored: "DE,MA".
        codes = [code for code in str(practice_countries or "").split(",") if code]
        names = listing(sorted(str(countries.name(code)) for code in codes))
        quoted = language_mark(_("“%(title)s”") % {"title": title}, practice_language, language)
        cited.append(f"{quoted} ({names})" if names else quoted)
    if cited:
        paragraphs.append(
            paragraph(
                section,
                ngettext(
                    "The good practice shared for this round table is %(practices)s.",
                    "Good practices shared for this round table include %(practices)s.",
                    len(cited),
                )
                % {"practices": listing(cited)},
                round_table=code,
                practice_ids=[row[0] for row in practices[:PRACTICES]],
            )
        )
    if len(practices) > PRACTICES:
        paragraphs.append(
            paragraph(
                section,
                ngettext(
                    "%(count)s other published good practice relates to this round table.",
                    "%(count)s other published good practices relate to this round table.",
                    len(practices) - PRACTICES,
                )
                % {"count": format_number(len(practices) - PRACTICES)},
                round_table=code,
                practice_ids=[row[0] for row in practices[PRACTICES:]],
            )
        )
    return paragraphs


def _by_theme(recommendations):
    """For the section by Compact theme: the most supported recommendations of each theme, and counts."""
    by_theme = {}
    for cluster in recommendations:
        for theme in cluster["themes"]:
            entry = by_theme.setdefault(theme, {"top": [], "clusters": 0, "contributions": 0})
            entry["clusters"] += 1
            entry["contributions"] += cluster["support_count"]
            if len(entry["top"]) < PER_THEME:
                entry["top"].append(cluster)
            else:
                entry.setdefault("rest_sources", []).extend(cluster["sources"])
    return by_theme
