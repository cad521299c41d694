"""Session changes keep their summary as a code and its values, so that each reader sees it in their
own language. Existing rows (English summaries) get their code where the text can be read back
exactly; a row that cannot keep no code and is shown as it was stored."""

import re

from django.db import migrations, models

# The English texts as the code wrote them before this migration (frozen here on purpose).
FIELDS = {
    "Kind": "kind",
    "Title (English)": "title_en",
    "Title (French)": "title_fr",
    "Title (Spanish)": "title_es",
    "Description (English)": "description_en",
    "Description (French)": "description_fr",
    "Description (Spanish)": "description_es",
    "Round table": "round_table",
    "Start": "start",
    "End": "end",
    "Venue": "venue",
    "Room": "room",
    "Co-chairing governments": "co_chairing_governments",
    "Status": "status",
    "People with roles": "roles",
    "Running order": "running_order",
}
PLAIN = {
    "Session created": "created",
    "Published": "published",
    "Withdrawn from the public agenda": "unpublished",
    "Running order changed": "reordered",
    "Running order created": "running_order_created",
}
ROLES = {
    "Chair": "chair",
    "Co-chair": "co_chair",
    "Moderator": "moderator",
    "Rapporteur": "rapporteur",
    "Speaker": "speaker",
    "Panellist": "panellist",
}
STEP_KINDS = {
    "Opening": "opening",
    "Guiding question": "guiding_question",
    "Discussion": "discussion",
    "Conclusions": "conclusions",
    "Other": "other",
}
STEP = re.compile(r"^(?P<label>.+) \((?P<minutes>\d+) min\)$")
QUESTION = re.compile(r"^Guiding question (?P<number>\d+)$")


def _role(label):
    role, separator, who = (label or "").partition(": ")
    if not separator or role not in ROLES:
        return None
    return {"role": ROLES[role], "who": "" if who == "a participant" else who}


def _step(label):
    match = STEP.match(label or "")
    if match is None:
        return None
    text, minutes = match["label"], int(match["minutes"])
    question = QUESTION.match(text)
    if question:
        return {"kind": "guiding_question", "question": int(question["number"]), "title": "", "minutes": minutes}
    if text in STEP_KINDS:
        return {"kind": STEP_KINDS[text], "question": None, "title": "", "minutes": minutes}
    return {"kind": "other", "question": None, "title": text, "minutes": minutes}


def read_back(summary, changes):
    """(code, params) of an English summary, or None when it cannot be read back exactly."""
    if summary in PLAIN:
        return PLAIN[summary], {}
    if summary.startswith("Changed: "):
        labels = summary[len("Changed: ") :].split(", ")
        if all(label in FIELDS for label in labels):
            return "changed", {"fields": [FIELDS[label] for label in labels]}
        return None
    entry = changes[0] if len(changes or []) == 1 and isinstance(changes[0], dict) else {}
    field, old, new = entry.get("field"), entry.get("old") or "", entry.get("new") or ""
    for verb, code, label in (("Added ", "added", new), ("Removed ", "removed", old), ("Changed ", "changed", None)):
        if not summary.startswith(verb):
            continue
        if field == "roles":
            if code == "changed":
                old_role, new_role = _role(old), _role(new)
                if old_role and new_role and summary == f"Changed {old} to {new}":
                    return "role_changed", {"old": old_role, "new": new_role}
                return None
            params = _role(label)
            if params and summary == f"{verb}{label}":
                return f"role_{code}", params
            return None
        if field == "running_order":
            params = _step(summary[len(verb) :])
            return (f"item_{code}", params) if params else None
    return None


def forwards(apps, schema_editor):
    SessionChange = apps.get_model("roundtables", "SessionChange")
    for change in SessionChange.objects.filter(code="").only("pk", "summary", "changes").iterator():
        found = read_back(change.summary, change.changes)
        if found:
            SessionChange.objects.filter(pk=change.pk).update(code=found[0], params=found[1])


class Migration(migrations.Migration):
    dependencies = [
        ("roundtables", "0003_agenda_contributions"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionchange",
            name="code",
            field=models.CharField(blank=True, max_length=32, verbose_name="kind of change"),
        ),
        migrations.AddField(
            model_name="sessionchange",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="values of the change"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
