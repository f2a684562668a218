# What makes a municipality's progress count stale: a trigger on each table the pairs view
# (measures_controlpair, measures_concern) is built on writes, per statement, the municipalities
# whose rows changed to monitoring_progresschange (NULL when it cannot tell: every count is then
# stale). Updates count only when a column the view reads changed. Each trigger holds a shared
# advisory lock until its transaction ends; monitoring.counting takes it exclusively for a moment
# before reading the latest change, so a count never misses a change it claims to include.
# Writers never wait on each other.

import django.db.models.deletion
from django.db import migrations, models

LOCK = 731500413  # monitoring.counting.GENERATION_LOCK

# table: (the columns the pairs view reads, the rows' municipality from a relation `rows`)
TABLES = {
    "measures_report": (
        ["occurrence_id", "school_id", "status", "outcome", "due_on", "submitted_at",
         "first_submitted_at"],
        "SELECT rm.municipality_id FROM {rows} t"
        " LEFT JOIN measures_occurrence o ON o.id = t.occurrence_id"
        " LEFT JOIN measures_measure m ON m.id = o.measure_id"
        " LEFT JOIN measures_roadmap rm ON rm.id = m.roadmap_id",
    ),
    "measures_occurrence": (
        ["measure_id", "kind", "due_on"],
        "SELECT rm.municipality_id FROM {rows} t"
        " LEFT JOIN measures_measure m ON m.id = t.measure_id"
        " LEFT JOIN measures_roadmap rm ON rm.id = m.roadmap_id",
    ),
    "measures_measure": (
        ["roadmap_id", "section_id", "all_designated_schools"],
        "SELECT rm.municipality_id FROM {rows} t"
        " LEFT JOIN measures_roadmap rm ON rm.id = t.roadmap_id",
    ),
    "measures_measure_schools": (
        ["measure_id", "school_id"],
        "SELECT rm.municipality_id FROM {rows} t"
        " LEFT JOIN measures_measure m ON m.id = t.measure_id"
        " LEFT JOIN measures_roadmap rm ON rm.id = m.roadmap_id",
    ),
    "measures_roadmap": (
        ["municipality_id", "school_id", "level", "status", "amends_id", "starts_on", "ends_on"],
        "SELECT t.municipality_id FROM {rows} t",
    ),
    "schools_schooldesignation": (
        ["school_id", "year", "ended_on"],
        "SELECT s.municipality_id FROM {rows} t LEFT JOIN schools_school s ON s.id = t.school_id",
    ),
    "schools_school": (["municipality_id"], "SELECT t.municipality_id FROM {rows} t"),
}  # fmt: skip


def _function(name: str, select: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({LOCK});
    INSERT INTO monitoring_progresschange (municipality_id)
    SELECT DISTINCT x.municipality_id FROM ({select}) x;
    RETURN NULL;
END
$$;"""


def _triggers() -> str:
    sql = [_function("monitoring_progress_truncated", "SELECT NULL::bigint AS municipality_id")]
    for table, (columns, resolve) in TABLES.items():
        differs = (
            f"({', '.join(f'o.{c}' for c in columns)}) IS DISTINCT FROM "
            f"({', '.join(f'n.{c}' for c in columns)})"
        )
        updated_new = f"(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {differs})"
        updated_old = f"(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {differs})"
        sql.append(_function(f"monitoring_changed_{table}", resolve.format(rows="changed_rows")))
        sql.append(
            _function(
                f"monitoring_updated_{table}",
                f"{resolve.format(rows=updated_new)} UNION ALL {resolve.format(rows=updated_old)}",
            )
        )
        sql.append(f"""
CREATE TRIGGER monitoring_progress_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_changed_{table}();
CREATE TRIGGER monitoring_progress_deleted AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_changed_{table}();
CREATE TRIGGER monitoring_progress_updated AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_updated_{table}();
CREATE TRIGGER monitoring_progress_truncated AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION monitoring_progress_truncated();""")
    return "\n".join(sql)


def _drop() -> str:
    sql = []
    for table in TABLES:
        for event in ("inserted", "deleted", "updated", "truncated"):
            sql.append(f"DROP TRIGGER IF EXISTS monitoring_progress_{event} ON {table};")
        sql.append(f"DROP FUNCTION IF EXISTS monitoring_changed_{table}();")
        sql.append(f"DROP FUNCTION IF EXISTS monitoring_updated_{table}();")
    sql.append("DROP FUNCTION IF EXISTS monitoring_progress_truncated();")
    return "\n".join(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0022_reminders"),
        ("monitoring", "0003_stage_year_range"),
        ("schools", "0009_school_code_default"),
    ]

    operations = [
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
        migrations.CreateModel(
            name="ProgressChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "municipality",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="schools.municipality",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["municipality", "id"], name="monitoring__municip_2711a7_idx"
                    )
                ],
            },
        ),
        migrations.RunSQL(_triggers(), _drop()),
    ]
