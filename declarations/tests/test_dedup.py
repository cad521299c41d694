"""Near-duplicate merging: shingles, MinHash signatures, LSH candidates, greedy clusters."""

import collections
import random
import subprocess
import sys

import numpy as np
import pytest
from django.conf import settings

from declarations import dedup
from demo.contributions import families
from roundtables.models import Contribution


def test_normalise_drops_case_accents_punctuation_and_stop_words_and_stems():
    assert dedup.normalise("Les États devraient ÉVALUER, d'urgence, l'accès aux soins!", "fr") == [
        "evalu",
        "urgenc",
        "acces",
        "soin",
    ]
    assert dedup.normalise("Governments should expand the skills-recognition schemes.") == [
        "expand",
        "skill",
        "recognit",
        "scheme",
    ]
    # One stem for the forms of a word, in each language.
    assert dedup.normalise("migrants migrant", "en") == ["migrant", "migrant"]
    assert dedup.normalise("droits droit", "fr") == ["droit", "droit"]
    assert dedup.normalise("trabajadores trabajador", "es") == ["trabaj", "trabaj"]


def test_shingles_are_words_and_neighbouring_pairs():
    assert len(dedup.shingles("expand skills recognition")) == 5  # 3 words + 2 pairs
    assert dedup.shingles("Expand skills recognition!") == dedup.shingles("expand   SKILLS recognition")
    assert dedup.shingles("") == frozenset()


def test_signatures_are_the_same_in_another_process():
    text = "Governments should expand fair recruitment standards for domestic workers."
    here = dedup.signature(dedup.shingles(text)).tolist()
    code = f"from declarations.dedup import signature, shingles; print(signature(shingles({text!r})).tolist())"
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == str(here)
    assert len(here) == dedup.NUM_PERM and len(set(here)) > dedup.NUM_PERM // 2


def test_signature_agreement_estimates_jaccard():
    rng = random.Random(7)
    for _pair in range(20):
        base = rng.sample(range(10**6), 60)
        other = base[: rng.randint(10, 60)] + rng.sample(range(10**6, 2 * 10**6), rng.randint(0, 40))
        first, second = frozenset(base), frozenset(other)
        agreement = float(np.mean(dedup.signature(first) == dedup.signature(second)))
        assert abs(agreement - dedup.jaccard(first, second)) < 0.25


def _demo_texts(kind, total, round_table_id=1):
    rng = random.Random(11)
    rows = []
    for family, size in families(round_table_id, kind, total, 5, [1, 2, 3], [1, 2]):
        rows.extend((family.number, family.text(rng), family.language) for _member in range(size))
    rng.shuffle(rows)
    return rows


@pytest.mark.parametrize("kind", [Contribution.Kind.RECOMMENDATION, Contribution.Kind.STATEMENT])
def test_clusters_match_the_demo_families(kind):
    """Paraphrases of one demo contribution end in one cluster, different ones never together."""
    rows = _demo_texts(kind, 3000)
    clusterer = dedup.Clusterer()
    for key, (_family, text, language) in enumerate(rows):
        clusterer.add(key, text, language)
    mixed = [members for members in clusterer.clusters if len({rows[key][0] for key in members}) > 1]
    clusters_of = collections.defaultdict(set)
    for index, members in enumerate(clusterer.clusters):
        for key in members:
            clusters_of[rows[key][0]].add(index)
    split = [family for family, indexes in clusters_of.items() if len(indexes) > 1]
    assert len(clusters_of) > 500
    assert len(mixed) <= len(clusterer.clusters) * 0.005  # precision ≥ 99.5 %
    assert len(split) <= len(clusters_of) * 0.01  # recall: at most 1 % of families not fully merged


def test_no_comparison_of_every_pair(monkeypatch):
    calls = []
    exact = dedup.jaccard

    def counting(first, second):
        calls.append(1)
        return exact(first, second)

    monkeypatch.setattr(dedup, "jaccard", counting)
    rows = _demo_texts(Contribution.Kind.RECOMMENDATION, 4000)
    clusterer = dedup.Clusterer()
    for key, (_family, text, language) in enumerate(rows):
        clusterer.add(key, text, language)
    # All pairs would be 8 million comparisons; the index asks for about one per text.
    assert len(calls) < 2 * len(rows)


def test_leaders_joins_and_languages():
    clusterer = dedup.Clusterer()
    assert clusterer.add(10, "Governments should expand fair recruitment standards for domestic workers.") == 0
    assert clusterer.add(11, "We recommend that states expand fair recruitment standards for domestic workers.") == 0
    assert clusterer.add(12, "Les gouvernements devraient étendre les normes de recrutement équitable.") == 1
    assert clusterer.add(13, "Digitise birth registration for children on the move.") == 2
    assert clusterer.join(14, 13) and not clusterer.join(15, 99)
    assert clusterer.clusters == [[10, 11], [12], [13, 14]]
    assert clusterer.cluster_of(14) == 2 and clusterer.cluster_of(15) is None
