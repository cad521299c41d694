"""Check-in codes: short, read aloud and typed at the door without confusion.

A code is 10 characters of Crockford's base32 (digits and capitals without I, L, O, U: 50 random
bits), stored without separators and shown in two groups of five, ``K3M9X-2TQ7R``. What is typed at
the door is read the way Crockford's base32 is read: any case, spaces and hyphens ignored, O as 0,
I and L as 1. Codes made before these (16 URL-safe characters, mixed case) stay valid as stored.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
GROUP = 5
_SEPARATORS = re.compile(r"[\s\-]+")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code():
    """A fresh code. With 2**50 codes, two registrations drawing the same one is not a practical concern
    (and the database's unique constraint would refuse it rather than mix them up)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed):
    """The stored form of a code as typed at the door, or None when it cannot be a code of this kind."""
    code = _SEPARATORS.sub("", typed).upper().translate(_READ_AS)
    if len(code) == LENGTH and all(character in ALPHABET for character in code):
        return code
    return None


def display(code):
    """A code as people read it: ``K3M9X-2TQ7R``; a code of the older kind as it is."""
    if len(code) == LENGTH and all(character in ALPHABET for character in code):
        return f"{code[:GROUP]}-{code[GROUP:]}"
    return code


def candidates(typed):
    """The stored codes that ``typed`` may stand for, the exact text first (older codes are case-sensitive)."""
    exact = typed.strip()
    found = [exact] if exact else []
    normalised = normalise(typed)
    if normalised and normalised not in found:
        found.append(normalised)
    return found
