"""Actions that change the reference frameworks."""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from common.datafiles import read_yaml
from sdg_targets.models import CompactTheme, Goal, Target

FRAMEWORKS_FILE = Path(__file__).resolve().parent / "data" / "frameworks.yaml"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def translated(field, texts):
    """{"en": "…", "fr": "…"} -> {"field_en": "…", "field_fr": "…", "field_es": ""}."""
    if isinstance(texts, str):
        texts = {"en": texts}
    unknown = set(texts) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"{field}: unknown language(s) {sorted(unknown)}")
    return {f"{field}_{code}": (texts.get(code) or "").strip() for code in LANGUAGES}


class Tally:
    """Counts what a load created, updated and left as it was."""

    def __init__(self):
        self.created = self.updated = self.unchanged = self.deleted = 0
        self.skipped = []  # what the load left as it was on purpose, one line each (e.g. staff edits)

    def upsert(self, model, lookup, values):
        """Create the row, or update only the fields whose value differs; returns the row."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            self.created += 1
            return model.objects.create(**lookup, **values)
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.updated += 1
        else:
            self.unchanged += 1
        return obj

    def __str__(self):
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged} deleted={self.deleted}"


@transaction.atomic
def load_frameworks(*, path=FRAMEWORKS_FILE, tally=None):
    """Load SDG goals, targets and Global Compact themes from the data file (idempotent)."""
    tally = tally or Tally()
    data = read_yaml(path)
    goals = {}
    for item in data["goals"]:
        goals[item["number"]] = tally.upsert(Goal, {"number": item["number"]}, translated("title", item["title"]))
    for item in data["targets"]:
        code = str(item["code"])
        tally.upsert(
            Target,
            {"code": code},
            {
                "goal": goals[item["goal"]],
                "relevance": item["relevance"],
                "position": Target.position_from_code(code),
                **translated("text", item["text"]),
            },
        )
    for item in data["compact_themes"]:
        tally.upsert(
            CompactTheme,
            {"code": item["code"]},
            {"cluster": item["cluster"], **translated("title", item["title"])},
        )
    return tally
