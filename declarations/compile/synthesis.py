"""Key messages of a round table, synthesised from its statements: extractive and deterministic.

No model and no translation: the sentences are the participants' own, chosen and attributed.

1. Every statement cluster (near-duplicates merged, ``declarations.dedup``) weighs its stems
   (``declarations.words``) by its support: ``weight[stem]`` is the number of contributions, in any
   language, whose cluster uses the stem.
2. Each sentence of a cluster written in the draft's language is scored by the mean weight of its
   stems: a sentence whose words many contributions share scores high (centrality), whatever the
   size of its own cluster. Sentences of fewer than ``MIN_TERMS`` stems are left out.
3. The best ``SENTENCES`` are kept, in score order (ties: the earliest cluster, then the earliest
   sentence), skipping one whose stems are for the most part (``REDUNDANT``) those of a sentence
   already kept, and taking at most one sentence per cluster.
4. A kept sentence's sources are the contributions of every cluster that contains at least
   ``COVERED`` of its stems (its own cluster's always): who said it, together. Its attribution names
   their constituencies in words, most contributions first ("Governments and civil society
   organisations stressed that …"), or, when the forum shows names (no Chatham House rule), up to
   ``NAMED`` organisations and how many others.
5. Sentences are grouped by theme (the Global Compact theme most of their sources are tagged with;
   untagged ones together), a paragraph per theme, the theme of the best sentence first. Each
   sentence ends with its support in words ("(three contributions)"); the paragraph's
   ``sentences`` keep each sentence's own sources, its ``sources`` are all of them.

Same clusters in, same bytes out: every choice is made on sorted keys, never on set order.
"""

import re
from collections import Counter

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django_countries import countries
from num2words import num2words

from declarations.compile.paragraphs import format_number, listing, paragraph
from declarations.words import STOP_WORDS, fold, stems
from stakeholders.models import Constituency, constituency_label

SENTENCES = 6  # sentences of key messages per round table
MIN_TERMS = 3  # a sentence with fewer stems says too little to stand for many
REDUNDANT = 0.5  # share of a kept sentence's stems that makes another one say the same again
COVERED = 0.6  # share of a sentence's stems a cluster must hold to count as saying it too
NAMED = 3  # organisations named in an attribution when the forum shows names
IN_WORDS_UP_TO = 100  # counts above are written in figures, as style guides advise

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# "We observe that …", "Nuestros miembros informan que …": an opening of stop words and words of
# the genre, then "that"/"que", is dropped so that the sentence follows the attribution.
_THAT = {"that", "que", "qu"}
_OPENING_WORDS = 8


def in_words(count):
    """``count`` in words in the active language ("twelve", "douze", "doce"), feminine in French and
    Spanish (the nouns counted: contribution, recommendation, organisation); figures above
    IN_WORDS_UP_TO."""
    language = (translation.get_language() or "en").split("-")[0]
    if count > IN_WORDS_UP_TO or language not in ("en", "fr", "es"):
        return format_number(count)
    words = num2words(count, lang=language)
    if language == "fr" and (words == "un" or words.endswith(" un")):
        words += "e"
    if language == "es" and words.endswith("uno"):
        words = words[:-1] + "a"
    return words


def support_sentence(cluster):
    """ "Supported by twelve contributions from governments and civil society organisations, in three
    regions." for a merged recommendation."""
    if cluster["support_count"] == 1:
        if not cluster["constituencies"]:
            return _("Supported by one contribution.")
        return _("Supported by one contribution (%(constituency)s).") % {
            "constituency": constituency_label(cluster["constituencies"][0])
        }
    # In the constituencies' order.
    who = who_by_constituency(dict.fromkeys(cluster["constituencies"], 1), subject=False)
    values = {"contributions": contributions_in_words(cluster["support_count"]), "who": who}
    regions = len(cluster["regions"])
    if who and regions:
        values["regions"] = ngettext("%(count)s region", "%(count)s regions", regions) % {"count": in_words(regions)}
        return _("Supported by %(contributions)s (%(who)s), in %(regions)s.") % values
    if who:
        return _("Supported by %(contributions)s (%(who)s).") % values
    return _("Supported by %(contributions)s.") % values


def contributions_in_words(count):
    return ngettext("%(count)s contribution", "%(count)s contributions", count) % {"count": in_words(count)}


def _constituency_plural(value, *, subject):
    """A constituency in the plural: as the subject of a sentence ("civil society organisations";
    with its article in French and Spanish: "les organisations de la société civile"), or bare."""
    if subject:
        names = {
            Constituency.GOVERNMENT: pgettext("constituency as subject", "governments"),
            Constituency.CIVIL_SOCIETY: pgettext("constituency as subject", "civil society organisations"),
            Constituency.PRIVATE_SECTOR: pgettext("constituency as subject", "private sector representatives"),
            Constituency.INTERNATIONAL_ORGANISATION: pgettext("constituency as subject", "international organisations"),
            Constituency.ACADEMIA: pgettext("constituency as subject", "academics"),
            Constituency.LOCAL_AUTHORITY: pgettext("constituency as subject", "local authorities"),
        }
        return names.get(value, pgettext("constituency as subject", "participants"))
    names = {
        Constituency.GOVERNMENT: pgettext("constituencies listed", "governments"),
        Constituency.CIVIL_SOCIETY: pgettext("constituencies listed", "civil society organisations"),
        Constituency.PRIVATE_SECTOR: pgettext("constituencies listed", "private sector representatives"),
        Constituency.INTERNATIONAL_ORGANISATION: pgettext("constituencies listed", "international organisations"),
        Constituency.ACADEMIA: pgettext("constituencies listed", "academics"),
        Constituency.LOCAL_AUTHORITY: pgettext("constituencies listed", "local authorities"),
    }
    return names.get(value, pgettext("constituencies listed", "participants"))


def who_by_constituency(counts, *, subject=True):
    """The constituencies of ``counts`` ({value: contributions}) in the plural, most first; every
    constituency said as such, and beyond NAMED the first ones "and others"."""
    order = {value: index for index, value in enumerate(Constituency.values)}
    ranked = sorted(counts, key=lambda value: (-counts[value], order.get(value, len(order)), value))
    if subject and len(ranked) == len(Constituency.values) and set(ranked) == set(Constituency.values):
        return pgettext("constituency as subject", "participants of every constituency")
    names = [_constituency_plural(value, subject=subject) for value in ranked]
    if subject and len(names) > NAMED:
        names = [*names[:NAMED], pgettext("constituency as subject", "others")]
    return listing(names)


def who_by_name(organisations):
    """Up to NAMED organisations ({name: contributions}) and how many others."""
    ranked = sorted(organisations, key=lambda name: (-organisations[name], name))
    shown = ranked[:NAMED]
    others = len(ranked) - len(shown)
    if others:
        shown.append(
            ngettext("%(count)s other organisation", "%(count)s other organisations", others)
            % {"count": in_words(others)}
        )
    return listing(shown)


def sentences(text):
    return [part.strip() for part in _SENTENCE_END.split(" ".join(text.split())) if part.strip()]


def _following_that(sentence):
    """The sentence without an opening such as "We observe that", ready to follow "… stressed that";
    None when it has no such opening."""
    words = sentence.split(" ")
    for index, word in enumerate(words[:_OPENING_WORDS]):
        bare = fold(word.lower().strip(",:;"))
        if bare in _THAT or bare.startswith("qu'") or bare.startswith("qu’"):
            if bare.startswith("qu") and bare not in _THAT:  # "qu'il …": the word after the apostrophe stays
                rest = [re.split(r"['’]", word, maxsplit=1)[1], *words[index + 1 :]]
            else:
                rest = words[index + 1 :]
            opening = [fold(w.lower().strip(",:;")) for w in words[:index]]
            if rest and all(w in STOP_WORDS for w in opening):
                return " ".join(rest)
            return None
    return None


def _without_opening_clause(sentence):
    """The sentence without an opening clause of stop words and words of the genre ("In our
    experience, …", "Selon nos membres, …")."""
    head, comma, rest = sentence.partition(",")
    words = head.split(" ")
    opening = comma and rest.strip() and len(words) <= _OPENING_WORDS // 2
    if opening and all(fold(word.lower()) in STOP_WORDS for word in words if word):
        return rest.strip()
    return sentence


def _lower_first(text):
    first = text.split(" ", 1)[0].strip(",;:")
    if len(first) > 1 and (first[1:].lower() != first[1:] or _is_country(first)):
        return text  # an acronym or a country keeps its capital
    return text[:1].lower() + text[1:]


def _is_country(word):
    return any(str(name).split(" ", 1)[0] == word for _code, name in countries)


def _capitalise(text):
    return text[:1].upper() + text[1:]


def attributed(sentence, who, *, speakers=2, again=False):
    """The sentence said by ``who`` (``speakers`` of them: the verb agrees): "Governments and civil
    society organisations stressed that …"; ``again`` (the same speakers as the sentence before):
    "The same participants also noted that …"."""
    rest = _following_that(sentence)
    if rest is None:
        rest = _lower_first(_without_opening_clause(sentence))
    rest = rest.rstrip()
    if rest[-1:] not in ".!?":
        rest += "."
    if again:
        template = ngettext(
            "The same organisation also noted that %(what)s", "The same participants also noted that %(what)s", speakers
        )
    else:
        template = ngettext("%(who)s stressed that %(what)s", "%(who)s stressed that %(what)s", speakers)
    if translation.get_language() == "fr" and fold(rest[:1].lower()) in "aeiouyh":
        template = template.replace("que %(what)s", "qu’%(what)s")  # French elides "que" before a vowel
    return _capitalise(template % {"who": who, "what": rest})


def key_messages(section, code, clusters, language, *, show_names):
    """The synthesis paragraphs of one round table from its statement clusters (see the module doc).

    ``clusters`` are the dicts of ``sections._Clusters.clusters`` (with ``plain``, ``language``,
    ``members``: [(id, constituency, organisation)] and ``themes``)."""
    weight = Counter()
    terms_of = []
    for cluster in clusters:
        terms = frozenset(stems(cluster["plain"], cluster["language"]))
        terms_of.append(terms)
        for term in terms:
            weight[term] += cluster["support_count"]
    candidates = []
    for index, cluster in enumerate(clusters):
        if cluster["language"] != language:
            continue
        for position, sentence in enumerate(sentences(cluster["plain"])):
            terms = frozenset(stems(sentence, language))
            if len(terms) < MIN_TERMS:
                continue
            score = sum(weight[term] for term in terms) / len(terms)
            candidates.append((-score, cluster["representative"], position, index, sentence, terms))
    candidates.sort(key=lambda candidate: candidate[:3])
    kept, used_clusters = [], set()
    for _score, _representative, _position, index, sentence, terms in candidates:
        if len(kept) == SENTENCES:
            break
        if index in used_clusters or any(len(terms & other) >= REDUNDANT * len(terms) for *_rest, other in kept):
            continue
        used_clusters.add(index)
        kept.append((index, sentence, terms))
    return _paragraphs(section, code, clusters, terms_of, kept, show_names)


def _paragraphs(section, code, clusters, terms_of, kept, show_names):
    groups = {}  # theme ("" for none) -> [sentence dicts], in the order of the best sentence
    for index, sentence, terms in kept:
        sayers = [
            other
            for other, other_terms in enumerate(terms_of)
            if other == index or len(terms & other_terms) >= COVERED * len(terms)
        ]
        members = [member for other in sayers for member in clusters[other]["members"]]
        themes = Counter(theme for other in sayers for theme in clusters[other]["themes"])
        theme = min(themes, key=lambda value: (-themes[value], value)) if themes else ""
        named = Counter(organisation for _pk, _constituency, organisation in members if organisation)
        if show_names and named:
            who, speakers = who_by_name(named), len(named)
        else:
            # Chatham House rule: who said it by constituency only.
            who = who_by_constituency(Counter(constituency for _pk, constituency, _org in members if constituency))
            who, speakers = who or pgettext("constituency as subject", "participants"), 2
        sources = sorted(pk for pk, _constituency, _organisation in members)
        group = groups.setdefault(theme, [])
        again = bool(group) and group[-1]["who"] == who
        said = attributed(sentence, who, speakers=speakers, again=again)
        text = f"{said[:-1]} ({contributions_in_words(len(sources))})."
        constituencies = sorted({constituency for _pk, constituency, _org in members if constituency})
        group.append({"text": text, "sources": sources, "constituencies": constituencies, "who": who})
    paragraphs = []
    for theme, items in groups.items():
        item = paragraph(
            section,
            " ".join(entry["text"] for entry in items),
            round_table=code,
            sources=sorted({pk for entry in items for pk in entry["sources"]}),
            constituencies=sorted({value for entry in items for value in entry["constituencies"]}),
            themes=[theme] if theme else [],
        )
        item["sentences"] = [{"text": entry["text"], "sources": entry["sources"]} for entry in items]
        paragraphs.append(item)
    return paragraphs
