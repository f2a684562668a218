from django.db import migrations

# An amendment draft («Внести изменения», Roadmap.amends) is never reported on: its measures
# concern no school until the order that approves it writes them onto the roadmap in force.
VIEWS = """
DROP VIEW IF EXISTS measures_controlpair;
DROP VIEW IF EXISTS measures_concern;
CREATE VIEW measures_concern AS
SELECT m.id AS measure_id, m.roadmap_id, m.section_id, rm.school_id
  FROM measures_measure m
  JOIN measures_roadmap rm ON rm.id = m.roadmap_id
 WHERE rm.level = 'school' AND rm.amends_id IS NULL
UNION ALL
SELECT m.id, m.roadmap_id, m.section_id, sc.id
  FROM measures_measure m
  JOIN measures_roadmap rm ON rm.id = m.roadmap_id
  JOIN schools_school sc ON sc.municipality_id = rm.municipality_id
 WHERE rm.level = 'municipal' AND m.all_designated_schools AND rm.amends_id IS NULL
   AND EXISTS (
       SELECT 1 FROM schools_schooldesignation d
        WHERE d.school_id = sc.id
          AND d.year BETWEEN EXTRACT(YEAR FROM rm.starts_on)::integer
                         AND EXTRACT(YEAR FROM rm.ends_on)::integer
          AND (d.ended_on IS NULL OR d.ended_on > rm.starts_on))
UNION ALL
SELECT m.id, m.roadmap_id, m.section_id, ms.school_id
  FROM measures_measure m
  JOIN measures_roadmap rm ON rm.id = m.roadmap_id
  JOIN measures_measure_schools ms ON ms.measure_id = m.id
 WHERE rm.level = 'municipal' AND NOT m.all_designated_schools AND rm.amends_id IS NULL;

CREATE VIEW measures_controlpair AS
SELECT o.id AS occurrence_id, c.school_id, c.measure_id, c.roadmap_id, c.section_id, o.kind,
       o.due_on AS planned_on, COALESCE(r.due_on, o.due_on) AS due_on, r.id AS report_id,
       COALESCE(r.status, '') AS report_status, COALESCE(r.outcome, '') AS outcome,
       COALESCE(r.first_submitted_at, r.submitted_at) AS submitted_at
  FROM measures_concern c
  JOIN measures_occurrence o ON o.measure_id = c.measure_id
  LEFT JOIN measures_report r ON r.occurrence_id = o.id AND r.school_id = c.school_id
"""
BEFORE = """
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
                         AND EXTRACT(YEAR FROM rm.ends_on)::integer
          AND (d.ended_on IS NULL OR d.ended_on > rm.starts_on))
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
       COALESCE(r.first_submitted_at, r.submitted_at) AS submitted_at
  FROM measures_concern c
  JOIN measures_occurrence o ON o.measure_id = c.measure_id
  LEFT JOIN measures_report r ON r.occurrence_id = o.id AND r.school_id = c.school_id
"""


class Migration(migrations.Migration):
    dependencies = [("measures", "0018_orders_appendices_editions")]

    operations = [migrations.RunSQL(VIEWS, BEFORE)]
