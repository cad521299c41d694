from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("practices", "SearchGeneration").objects.update_or_create(pk=1, defaults={"token": "initial"})


class Migration(migrations.Migration):
    dependencies = [("practices", "0005_link_columns")]

    operations = [
        migrations.CreateModel(
            name="SearchGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(blank=True, default="", max_length=32)),
            ],
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
