from django.db import migrations

# The schools each measure concerns (measures_concern), and the pairs view built on it: the
# concerned (measure, school) set is made first (a few hundred rows per roadmap: the designation
# is tested once per roadmap and school, not once per control date), then joined to the control
# dates and the reports. Same columns and rows as 0008's view.
CONTROL_PAIRS = """
DROP VIEW IF EXISTS measures_controlpair;
DROP VIEW IF EXISTS measures_concern;
CREATE VIEW measures_concern AS
SELECT m.id AS measure_id, m.roadmap_id, m.section_id, rm.school_id
  FROM measures_measure m
  JOIN measures_roadmap rm ON rm.id = m.roadmap_id
 WHERE rm.level = 'school'
UNION ALL
SELECT m.id, m.roadmap_id, m.section_id, sc.id
  FROM measures_measure m
  JOIN measures_roadmap rm ON rm.id = m.roadmap_id
  JOIN schools_school sc ON sc.municipality_id = rm.municipality_id
 WHERE rm.level = 'municipal' AND m.all_designated_schools
   AND EXISTS (
       SELECT 1 FROM schools_schooldesignation d
        WHERE d.school_id = sc.id
          AND d.year BETWEEN EXTRACT(YEAR FROM rm.starts_on)::integer
                         AND EXTRACT(YEAR FROM rm.ends_on)::integer)
UNION ALL
SELECT m.id, m.roadmap_id, m.section_id, ms.school_id
  FROM measures_measure m
  JOIN measures_roadmap rm ON rm.id = m.roadmap_id
  JOIN measures_measure_schools ms ON ms.measure_id = m.id
 WHERE rm.level = 'municipal' AND NOT m.all_designated_schools;

CREATE VIEW measures_controlpair AS
SELECT o.id AS occurrence_id, c.school_id, c.measure_id, c.roadmap_id, c.section_id, o.kind,
       o.due_on AS planned_on, COALESCE(r.due_on, o.due_on) AS due_on, r.id AS report_id,
       COALESCE(r.status, '') AS report_status, COALESCE(r.outcome, '') AS outcome,
       r.submitted_at
  FROM measures_concern c
  JOIN measures_occurrence o ON o.measure_id = c.measure_id
  LEFT JOIN measures_report r ON r.occurrence_id = o.id AND r.school_id = c.school_id
"""

# 0008's view, to migrate back
PREVIOUS = """
DROP VIEW IF EXISTS measures_controlpair;
DROP VIEW IF EXISTS measures_concern;
CREATE VIEW measures_controlpair AS
SELECT p.occurrence_id, p.school_id, p.measure_id, p.roadmap_id, p.section_id, p.kind,
       p.planned_on, COALESCE(r.due_on, p.planned_on) AS due_on, r.id AS report_id,
       COALESCE(r.status, '') AS report_status, COALESCE(r.outcome, '') AS outcome,
       r.submitted_at
FROM (
    SELECT o.id AS occurrence_id, rm.school_id, m.id AS measure_id, m.roadmap_id,
           m.section_id, o.kind, o.due_on AS planned_on
      FROM measures_occurrence o
      JOIN measures_measure m ON m.id = o.measure_id
      JOIN measures_roadmap rm ON rm.id = m.roadmap_id
     WHERE rm.level = 'school'
    UNION ALL
    SELECT o.id, sc.id, m.id, m.roadmap_id, m.section_id, o.kind, o.due_on
      FROM measures_occurrence o
      JOIN measures_measure m ON m.id = o.measure_id
      JOIN measures_roadmap rm ON rm.id = m.roadmap_id
      JOIN schools_school sc ON sc.municipality_id = rm.municipality_id
     WHERE rm.level = 'municipal' AND m.all_designated_schools
       AND EXISTS (
           SELECT 1 FROM schools_schooldesignation d
            WHERE d.school_id = sc.id
              AND d.year BETWEEN EXTRACT(YEAR FROM rm.starts_on) AND EXTRACT(YEAR FROM rm.ends_on))
    UNION ALL
    SELECT o.id, ms.school_id, m.id, m.roadmap_id, m.section_id, o.kind, o.due_on
      FROM measures_occurrence o
      JOIN measures_measure m ON m.id = o.measure_id
      JOIN measures_roadmap rm ON rm.id = m.roadmap_id
      JOIN measures_measure_schools ms ON ms.measure_id = m.id
     WHERE rm.level = 'municipal' AND NOT m.all_designated_schools
) p
LEFT JOIN measures_report r ON r.occurrence_id = p.occurrence_id AND r.school_id = p.school_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0008_report_step_mailed"),
    ]

    operations = [
        migrations.RunSQL(CONTROL_PAIRS, PREVIOUS),
    ]
