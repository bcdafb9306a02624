from django.db import migrations

PARTNER_USER = "Partner user"


def add_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=PARTNER_USER)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=PARTNER_USER).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(add_group, remove_group)]
