"""The literal tables of the demo data — names, organisations, titles, phrases, word lists — read
from the YAML files of ``demo/data/``, each once per process.

The order of every list and mapping matters: the generators draw from them with seeded random
generators, so reordering, adding or removing an entry changes the rows that ``seed_demo`` writes
for a given scale and seed.
"""

import functools
from pathlib import Path

from common.datafiles import parse_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def load(name):
    """The parsed contents of ``demo/data/<name>.yaml`` (shared: do not modify)."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as file:
        return parse_yaml(file)


def en_fr(items):
    """[{"en": …, "fr": …}, …] as [(English, French), …]."""
    return [(item["en"], item["fr"]) for item in items]
