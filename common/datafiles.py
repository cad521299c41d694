"""The repository's YAML data files (the forums, the SDG frameworks, the demo's tables), parsed safely.

With libyaml's C parser where PyYAML has it (the wheels on PyPI do): the pure-Python parser took
about 0.25 s of the 0.7 s that loading the 2017 forum costs, and the forum is loaded by ``make run``,
``load_forum`` and hundreds of tests. Both parsers build the same data from these files (tested).
"""

from pathlib import Path

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text):
    """The data of YAML ``text`` (a string or an open file), with the safe loader's types only."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader (C or Python)


def read_yaml(path):
    """The data of the YAML file at ``path`` (UTF-8)."""
    return parse_yaml(Path(path).read_text(encoding="utf-8"))
