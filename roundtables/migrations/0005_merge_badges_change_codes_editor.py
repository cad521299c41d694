from django.db import migrations


class Migration(migrations.Migration):
    """Three independent changes made side by side: badge jobs, change summaries as codes, the
    programme editor."""

    dependencies = [
        ("roundtables", "0004_badge_job"),
        ("roundtables", "0004_programme_editor"),
        ("roundtables", "0004_session_change_code_and_params"),
    ]

    operations = []
