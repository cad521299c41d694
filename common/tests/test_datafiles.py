"""common.datafiles: libyaml's parser, where it is used, builds the same data as PyYAML's own safe
parser from every YAML file of the repository."""

from pathlib import Path

import pytest
import yaml

from common import datafiles

ROOT = Path(__file__).resolve().parents[2]
# The apps' data folders: <app>/data/ and <app>/<part>/data/.
DATA_FILES = sorted({*ROOT.glob("*/data/*.yaml"), *ROOT.glob("*/*/data/*.yaml")})


def test_the_data_files_are_found():
    names = {path.name for path in DATA_FILES}
    assert {"forum_2017.yaml", "frameworks.yaml"} <= names, names


def test_the_fast_parser_is_used_where_pyyaml_has_it():
    assert datafiles.SafeLoader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_both_parsers_read_the_same_data(path):
    text = path.read_text(encoding="utf-8")
    assert datafiles.read_yaml(path) == yaml.load(text, Loader=yaml.SafeLoader)
    assert datafiles.parse_yaml(text) == yaml.safe_load(text)
