"""Near-duplicate merging for the declaration compile: word shingles, MinHash, LSH bands.

No comparison of every pair. Texts are normalised (``declarations.words``: lower case, stop words of
English, French and Spanish and the words of the genre dropped, each word cut to its Snowball stem in
the text's language, accents removed) and cut into word shingles (single stems and pairs of
neighbouring stems). Each text gets a ``datasketch`` MinHash signature of ``NUM_PERM`` values (seeded,
with the permutations drawn once: the same text has the same signature in every process), indexed by
a ``datasketch.MinHashLSH`` of ``BANDS`` bands of ``ROWS`` values; two texts whose signatures agree on
a whole band become candidates, and a candidate is merged only if the exact Jaccard similarity of
the two shingle sets reaches ``THRESHOLD``.

Clustering is greedy and deterministic ("leader" clustering): texts are taken in the order given
(the compile gives them by contribution id); a text joins the first cluster, in order of creation,
whose leader (its earliest text) is similar enough, else it starts a cluster of its own and its
signature is added to the index. Only leaders are indexed, so a bucket stays small even when
thousands of texts say the same thing, and a cluster cannot drift by chaining (every member is
within the threshold of its leader). Cost: one signature per text and a few exact comparisons.

With 16 bands of 4 rows, two texts of Jaccard similarity s become candidates with probability
1 - (1 - s**4)**16: 0.12 at s = 0.3, 0.79 at 0.55, 0.96 at 0.65, 0.99 at 0.7, 1.00 at 0.8. THRESHOLD
was tuned on the demo contributions (demo/contributions.py), whose families of paraphrases are the
ground truth; declarations/tests/test_dedup.py holds the bounds (precision and recall per family).
Texts in different languages are not merged here (they share no stems); staff link translations
("the same as", ``Contribution.same_as``). The words of the genre ("governments should", "we
recommend that states", …) are stop words: they say how a text opens, not what it asks for.
"""

import itertools
import zlib

import numpy as np
from datasketch import MinHash, MinHashLSH

from declarations.words import stems

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.55
SEED = 20170628  # fixed: signatures are the same in every process and every run


def _identity(value):
    # Shingles are already 32-bit hashes (crc32): MinHash permutes them as they are.
    return value


# The permutations are drawn once from SEED; every signature reuses them (drawing them per text
# would cost more than the signature).
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity)


def normalise(text, language=None):
    """The stems of the words that carry meaning (see ``declarations.words.stems``)."""
    return stems(text, language)


def shingles(text, language=None):
    """The set of 32-bit hashes of the stems and neighbouring stem pairs of ``text``."""
    words = normalise(text, language)
    grams = set(words)
    grams.update(f"{first} {second}" for first, second in itertools.pairwise(words))
    return frozenset(zlib.crc32(gram.encode()) for gram in grams)


def minhash(shingle_set):
    """The datasketch MinHash of a set of shingle hashes."""
    sketch = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_identity,
        permutations=_TEMPLATE.permutations,
        scheme=_TEMPLATE.scheme,
    )
    if shingle_set:
        sketch.update_batch(np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set)))
    return sketch


def signature(shingle_set):
    """The MinHash signature (NUM_PERM unsigned integers) of a set of shingle hashes."""
    return minhash(shingle_set).hashvalues


def jaccard(first, second):
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


class Clusterer:
    """Greedy MinHash-LSH clustering; ``add()`` texts in a stable order, read ``clusters``.

    ``clusters`` is a list of lists of keys, in order of creation; the first key of each list is
    its leader (the representative text).
    """

    def __init__(self, threshold=THRESHOLD):
        self.threshold = threshold
        self.clusters = []
        self._leader_shingles = []
        self._index = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
        self._cluster_of = {}
        # The same words again go where they went the first time (leaders never change, so the
        # first matching cluster is the same): no signature to compute.
        self._known_texts = {}

    def add(self, key, text, language=None):
        """Put ``key`` (with its ``text`` in ``language``) in a cluster; returns the cluster's index."""
        index = self._known_texts.get((text, language))
        if index is not None:
            self.clusters[index].append(key)
            self._cluster_of[key] = index
            return index
        index = self._place(key, text, language)
        self._known_texts[(text, language)] = index
        return index

    def _place(self, key, text, language):
        shingle_set = shingles(text, language)
        sketch = minhash(shingle_set)
        # The index answers a set: sorted, the first similar cluster is the earliest one.
        for index in sorted(self._index.query(sketch)):
            if jaccard(shingle_set, self._leader_shingles[index]) >= self.threshold:
                self.clusters[index].append(key)
                self._cluster_of[key] = index
                return index
        index = len(self.clusters)
        self.clusters.append([key])
        self._leader_shingles.append(shingle_set)
        self._cluster_of[key] = index
        self._index.insert(index, sketch, check_duplication=False)
        return index

    def join(self, key, other):
        """Put ``key`` in the cluster of ``other`` (a duplicate staff marked); False if unknown."""
        index = self._cluster_of.get(other)
        if index is None:
            return False
        self.clusters[index].append(key)
        self._cluster_of[key] = index
        return True

    def cluster_of(self, key):
        return self._cluster_of.get(key)
