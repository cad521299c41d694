"""Text as people compare it: without case or accents."""

import unicodedata


def fold(text):
    """Lower case, without accents ("Égypte" -> "egypte", "Diásporas" -> "diasporas"); letters of
    other scripts are kept."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
