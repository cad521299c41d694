from django.db import migrations

STAFF_GROUP = "Co-chair staff"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=STAFF_GROUP)


class Migration(migrations.Migration):
    dependencies = [("stakeholders", "0002_organisation_status_delegateinvitation_auditentry_and_more"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
