"""The words of a contribution that carry meaning, in English, French and Spanish: its stems.

``stems(text, language)``: lower case, split into words, stop words dropped (the lists of the
``stop-words`` package for the three languages, together: a contribution quotes other languages, and
a stop word of one is rarely a content word of another; and the words of the genre, ``GENRE_WORDS``),
each word cut to its Snowball stem in the text's language (``snowballstemmer``; English when the
language is not known), accents removed after stemming (the French and Spanish stemmers read them).
Used by the near-duplicate merging (``declarations.dedup``) and by the synthesis of key messages
(``declarations.compile.synthesis``), so that "migrants", "migrant" and "migration" count alike.
"""

import functools
import re
import unicodedata

import snowballstemmer
import stop_words

STEMMERS = {"en": "english", "fr": "french", "es": "spanish"}
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})
_WORD = re.compile(r"[^\W_]+")

# Words of the genre: how recommendations and statements open, not what they say ("governments
# should", "we recommend that states", "our members report"). No general list has them.
GENRE_WORDS = """
    nous should could would devraient pourraient deberian deberan
    recommend recommends recommended urge urged call calls encourage encouraged essential need
    government governments state states country countries participant participants partner partners
    round table delegation delegations observe evidence shows report members experience
    recommandons recommande exhorte exhortes appelons encourages essentiel gouvernements etats pays
    participants partenaires ronde constatons donnees montrent signalent membres experience
    recomendamos recomienda instaron pedimos alienta esencial gobiernos estados paises participantes
    socios mesa redonda observamos datos muestran informan miembros segun nuestra nuestros experiencia
"""


def fold(word):
    """``word`` without accents or ligatures ("états" -> "etats")."""
    if word.isascii():
        return word
    return unicodedata.normalize("NFKD", word.translate(_LIGATURES)).encode("ascii", "ignore").decode()


STOP_WORDS = frozenset(
    fold(word.lower())
    for word in [*GENRE_WORDS.split(), *(w for code in STEMMERS for w in stop_words.get_stop_words(code))]
)


@functools.cache
def _stemmer(language):
    return snowballstemmer.stemmer(STEMMERS.get(language, "english"))


@functools.lru_cache(maxsize=200_000)
def _stem(word, language):
    return fold(_stemmer(language).stemWord(word))


def stems(text, language=None):
    """The stems of the words of ``text`` that carry meaning, in order."""
    language = language if language in STEMMERS else "en"
    result = []
    for word in _WORD.findall(text.lower()):
        if fold(word) not in STOP_WORDS:
            result.append(_stem(word, language))
    return result
