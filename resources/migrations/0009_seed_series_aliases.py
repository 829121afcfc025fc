"""The aliases the shipped data needs, so that a fresh database imports the whole tree whole.

Curators add more in the admin. Each was checked against both files named.
"""

from django.db import migrations

ALIASES = [
    (
        "USENIX ATC",
        "SIGOPS ATC",
        "ccf-deadlines accept_rates/DS/atc.yml writes USENIX ATC; its conference file "
        "conference/DS/atc.yml writes SIGOPS ATC for the same Annual Technical Conference",
    ),
    (
        "UbiComp",
        "UbiComp/ISWC",
        "ccf-deadlines accept_rates/HI/ubicomp.yml writes UbiComp; conference/HI/ubicomp.yml "
        "writes UbiComp/ISWC, the joint event of UbiComp and ISWC",
    ),
]


def seed(apps, schema_editor):
    from resources.models import name_key

    SeriesAlias = apps.get_model("resources", "SeriesAlias")
    for alias, name, note in ALIASES:
        SeriesAlias.objects.get_or_create(key=name_key(alias), defaults={"alias": alias, "name": name, "note": note})


def unseed(apps, schema_editor):
    from resources.models import name_key

    SeriesAlias = apps.get_model("resources", "SeriesAlias")
    SeriesAlias.objects.filter(key__in=[name_key(alias) for alias, _, _ in ALIASES]).delete()


class Migration(migrations.Migration):
    dependencies = [("resources", "0008_import_identity_history")]
    operations = [migrations.RunPython(seed, unseed)]
