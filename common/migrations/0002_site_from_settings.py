from urllib.parse import urlparse

from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    """Emails from allauth name the site: use SITE_URL's host, not Django's "example.com"."""
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": urlparse(settings.SITE_URL).netloc, "name": "GFMD Portal"}
    )


class Migration(migrations.Migration):
    dependencies = [("gfmd_portal", "0001_initial"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
