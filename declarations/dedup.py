"""Near-duplicate merging for the declaration compile: word shingles, MinHash, LSH bands.

No comparison of every pair. Texts are normalised (lower case, accents removed, punctuation and a
short list of English, French and Spanish stop words dropped) and cut into word shingles (single
words and pairs of neighbouring words). Each text gets a MinHash signature of ``NUM_PERM`` values
(one numpy expression per text, seeded: the same text has the same signature in every process),
cut into ``BANDS`` bands of ``ROWS`` values; two texts whose signatures agree on a whole band
become candidates, and a candidate is merged only if the exact Jaccard similarity of the two
shingle sets reaches ``THRESHOLD``.

Clustering is greedy and deterministic ("leader" clustering): texts are taken in the order given
(the compile gives them by contribution id); a text joins the first cluster, in order of creation,
whose leader (its earliest text) is similar enough, else it starts a cluster of its own and its
signature is added to the index. Only leaders are indexed, so a bucket stays small even when
thousands of texts say the same thing, and a cluster cannot drift by chaining (every member is
within the threshold of its leader). Cost: one signature per text and a few exact comparisons.

With 16 bands of 4 rows, two texts of Jaccard similarity s become candidates with probability
1 - (1 - s**4)**16: 0.12 at s = 0.3, 0.79 at 0.55, 0.96 at 0.65, 0.99 at 0.7, 1.00 at 0.8. THRESHOLD =
0.55 was tuned on the demo contributions (demo/contributions.py): paraphrases of one
contribution have a similarity of 0.65 to 1 (0.87 on average), different contributions of a round
table at most 0.43; on 4,600 recommendations of one round table (1,327 families) no cluster mixes two
families and 2 families are split in two (a paraphrase whose signature missed its leader's buckets).
At 0.5, ten clusters mixed two families. declarations/tests/test_dedup.py holds these bounds.
Texts in different languages are never merged (they share no shingles). The words of the genre
("governments should", "we recommend that states", …) are stop words: they say how a text opens,
not what it asks for.
"""

import itertools
import re
import unicodedata
import zlib

import numpy as np

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.55
SEED = 20170628  # fixed: signatures are the same in every process and every run

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_generator = np.random.RandomState(SEED)
_A = _generator.randint(1, (1 << 31) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _generator.randint(0, (1 << 31) - 1, size=NUM_PERM, dtype=np.uint64)
# Each band of ROWS values is folded into one integer (a bucket key); a rare collision only adds a
# candidate, which the exact comparison then turns down.
_BAND_MIX = _generator.randint(1, (1 << 31) - 1, size=ROWS, dtype=np.uint64) | np.uint64(1)

_STOP_WORDS = """
    a an and are as at be by for from has have in into is it its of on or our that the their this to was
    were will with we all more should must can which who also
    au aux avec ce ces dans de des du elle en et est il ils la le les leur leurs nos notre ou par pas
    plus pour qu que qui sa se ses son sont sur un une d l doit doivent
    al con como del el en es la las lo los para por que se su sus un una y o
"""
# Words of the genre: how recommendations and statements open, not what they say.
_GENRE_WORDS = """
    nous should could would devraient pourraient deberian deberan
    recommend recommends recommended urge urged call calls encourage encouraged essential need
    government governments state states country countries participant participants partner partners
    round table delegation delegations observe evidence shows report members experience
    recommandons recommande exhorte exhortes appelons encourages essentiel gouvernements etats pays
    participants partenaires ronde constatons donnees montrent signalent membres experience
    recomendamos recomienda instaron pedimos alienta esencial gobiernos estados paises participantes
    socios mesa redonda observamos datos muestran informan miembros segun nuestra nuestros experiencia
"""
STOP_WORDS = frozenset(_STOP_WORDS.split() + _GENRE_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


def normalise(text):
    """Lower case, accents removed, stop words dropped: the words that carry meaning."""
    plain = text.lower()
    if not plain.isascii():
        plain = unicodedata.normalize("NFKD", plain.translate(_LIGATURES)).encode("ascii", "ignore").decode()
    return [word for word in _WORD.findall(plain) if word not in STOP_WORDS]


def shingles(text):
    """The set of 32-bit hashes of the words and neighbouring word pairs of ``text``."""
    words = normalise(text)
    grams = set(words)
    grams.update(f"{first} {second}" for first, second in itertools.pairwise(words))
    return frozenset(zlib.crc32(gram.encode()) for gram in grams)


def signature(shingle_set):
    """The MinHash signature (NUM_PERM unsigned integers) of a set of shingle hashes."""
    if not shingle_set:
        return np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64)
    values = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    hashed = (np.outer(_A, values) + _B[:, None]) % _MERSENNE & _MAX_HASH
    return hashed.min(axis=1)


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
        self._buckets = [{} for _band in range(BANDS)]
        self._cluster_of = {}
        # The same words again go where they went the first time (leaders never change, so the
        # first matching cluster is the same): no signature to compute.
        self._known_texts = {}

    def add(self, key, text):
        """Put ``key`` (with its ``text``) in a cluster; returns the cluster's index."""
        index = self._known_texts.get(text)
        if index is not None:
            self.clusters[index].append(key)
            self._cluster_of[key] = index
            return index
        index = self._place(key, text)
        self._known_texts[text] = index
        return index

    def _place(self, key, text):
        shingle_set = shingles(text)
        band_keys = (signature(shingle_set).reshape(BANDS, ROWS) * _BAND_MIX).sum(axis=1).tolist()
        candidates = set()
        for band_key, bucket in zip(band_keys, self._buckets, strict=True):
            candidates.update(bucket.get(band_key, ()))
        for index in sorted(candidates):
            if jaccard(shingle_set, self._leader_shingles[index]) >= self.threshold:
                self.clusters[index].append(key)
                self._cluster_of[key] = index
                return index
        index = len(self.clusters)
        self.clusters.append([key])
        self._leader_shingles.append(shingle_set)
        self._cluster_of[key] = index
        for band_key, bucket in zip(band_keys, self._buckets, strict=True):
            bucket.setdefault(band_key, []).append(index)
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
