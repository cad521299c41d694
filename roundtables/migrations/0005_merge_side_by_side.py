from django.db import migrations


class Migration(migrations.Migration):
    """Four independent changes made side by side: badge jobs, "the same as" links between
    contributions, change summaries as codes, the programme editor."""

    dependencies = [
        ("roundtables", "0004_badge_job"),
        ("roundtables", "0004_contribution_same_as"),
        ("roundtables", "0004_programme_editor"),
        ("roundtables", "0004_session_change_code_and_params"),
    ]

    operations = []
