# The generation of changes that progress depends on: every statement that writes to a table
# the pairs view (measures_controlpair, measures_concern) is built on moves a sequence, while
# holding a shared advisory lock until its transaction ends. monitoring.counting takes that lock
# exclusively for a moment before reading the sequence, so a count made after it sees every
# change the generation it records stands for (none is caught between its statement and its
# commit). A sequence and a shared lock: writers never wait on each other.

import django.db.models.deletion
from django.db import migrations, models

TRIGGERS = """
CREATE SEQUENCE monitoring_progress_generation;
CREATE FUNCTION monitoring_progress_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(731500413);
    PERFORM nextval('monitoring_progress_generation');
    RETURN NULL;
END
$$;
CREATE TRIGGER monitoring_progress_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON measures_report
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_changed();
CREATE TRIGGER monitoring_progress_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON measures_occurrence
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_changed();
CREATE TRIGGER monitoring_progress_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON measures_measure
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_changed();
CREATE TRIGGER monitoring_progress_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON measures_measure_schools
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_changed();
CREATE TRIGGER monitoring_progress_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON measures_roadmap
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_changed();
CREATE TRIGGER monitoring_progress_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schools_schooldesignation
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_changed();
CREATE TRIGGER monitoring_progress_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schools_school
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_changed();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS monitoring_progress_changed ON measures_report;
DROP TRIGGER IF EXISTS monitoring_progress_changed ON measures_occurrence;
DROP TRIGGER IF EXISTS monitoring_progress_changed ON measures_measure;
DROP TRIGGER IF EXISTS monitoring_progress_changed ON measures_measure_schools;
DROP TRIGGER IF EXISTS monitoring_progress_changed ON measures_roadmap;
DROP TRIGGER IF EXISTS monitoring_progress_changed ON schools_schooldesignation;
DROP TRIGGER IF EXISTS monitoring_progress_changed ON schools_school;
DROP FUNCTION IF EXISTS monitoring_progress_changed();
DROP SEQUENCE IF EXISTS monitoring_progress_generation;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0022_reminders"),
        ("monitoring", "0003_stage_year_range"),
        ("schools", "0009_school_code_default"),
    ]

    operations = [
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.CreateModel(
            name="ProgressCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("counted_at", models.DateTimeField(verbose_name="посчитано")),
                ("counted_on", models.DateField(verbose_name="на день")),
                ("generation", models.BigIntegerField(verbose_name="поколение изменений")),
                ("roadmaps", models.JSONField(default=list, verbose_name="дорожные карты")),
                ("seconds", models.FloatField(default=0, verbose_name="секунд на подсчёт")),
                (
                    "municipality",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="progress_count",
                        to="schools.municipality",
                    ),
                ),
            ],
            options={
                "verbose_name": "подсчёт выполнения",
                "verbose_name_plural": "подсчёты выполнения",
            },
        ),
        migrations.CreateModel(
            name="ProgressCell",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.IntegerField()),
                ("on_time", models.IntegerField()),
                ("late", models.IntegerField()),
                ("overdue", models.IntegerField()),
                ("not_due", models.IntegerField()),
                ("first_overdue", models.DateField(null=True)),
                (
                    "any_report",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.report",
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.measure",
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="schools.municipality",
                    ),
                ),
                (
                    "overdue_report",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.report",
                    ),
                ),
                (
                    "roadmap",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.roadmap",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="schools.school",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="measures.section",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["municipality", "school"], name="monitoring__municip_f2ba85_idx"
                    ),
                    models.Index(
                        fields=["municipality", "roadmap", "year"],
                        name="monitoring__municip_fe9d2b_idx",
                    ),
                    models.Index(
                        condition=models.Q(("overdue__gt", 0)),
                        fields=["municipality", "first_overdue"],
                        name="progress_cell_overdue",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("municipality", "measure", "school", "year"),
                        name="progress_cell_key",
                    )
                ],
            },
        ),
    ]
