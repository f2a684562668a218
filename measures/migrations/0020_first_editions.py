from django.db import migrations

from measures.editions import snapshot


def first_editions(apps, schema_editor):
    """Every roadmap approved before editions existed gets its edition 1: the content it holds,
    in the wording of the latest act that approved or amended it."""
    Roadmap = apps.get_model("measures", "Roadmap")
    RoadmapEdition = apps.get_model("measures", "RoadmapEdition")
    for roadmap in Roadmap.objects.filter(status="approved", editions__isnull=True):
        act = roadmap.amended_by.order_by("-date", "-pk").first() or roadmap.approved_by
        RoadmapEdition.objects.create(
            roadmap=roadmap, number=1, act=act, content=snapshot(roadmap)
        )


class Migration(migrations.Migration):
    dependencies = [("measures", "0019_amendment_drafts_concern_nobody")]

    operations = [migrations.RunPython(first_editions, migrations.RunPython.noop)]
