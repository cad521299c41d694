"""The house's floors: each app imports only the floors below it (DESIGN.md, "The house").

Read from the source (every import, also inside functions), tests and migrations excepted: the
ground floor ``common`` imports no app, ``stakeholders`` no other domain app, nothing imports
``declarations`` but ``demo``, nothing imports ``demo`` or the roof ``gfmd_portal``.
"""

import ast
from pathlib import Path

from django.conf import settings

FLOORS = {
    "common": 0,
    "sdg_targets": 1,
    "stakeholders": 2,
    "roundtables": 3,
    "practices": 4,
    "declarations": 5,
    "demo": 6,
}
# stakeholders is floor 2 but may not import sdg_targets (floor 1) either: no other domain app.
MAY_IMPORT = {app: {other for other, floor in FLOORS.items() if floor <= FLOORS[app]} for app in FLOORS}
MAY_IMPORT["stakeholders"] = {"common", "stakeholders"}


def _imported_packages(path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield node.lineno, name.split(".")[0]


def _violations():
    found = []
    for app in FLOORS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for line, package in _imported_packages(path):
                project = package in FLOORS or package == "gfmd_portal"
                if project and package not in MAY_IMPORT[app]:
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{line} imports {package}")
    return found


def test_no_app_imports_a_higher_floor_or_the_roof():
    assert _violations() == []


def test_the_scan_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from declarations.models import Draft\n    import practices.search\n")
    assert list(_imported_packages(module)) == [(2, "declarations"), (3, "practices")]
