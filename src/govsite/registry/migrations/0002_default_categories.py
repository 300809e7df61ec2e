from django.db import migrations

from govsite.registry.categories import ensure_default_categories


def create_categories(apps, schema_editor):
    ensure_default_categories(apps.get_model("registry", "UnitCategory"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
