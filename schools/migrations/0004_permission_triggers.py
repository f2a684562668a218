"""Record every row added to or removed from django-guardian's permission tables in
schools_permissionevent, with the pghistory context (user, address) of the request."""

from django.db import migrations

TABLES = {
    "guardian_userobjectpermission": ("user_id", "NULL"),
    "guardian_groupobjectpermission": ("NULL", "group_id"),
}


def sql(table: str, user: str, group: str) -> str:
    def row(prefix: str, action: str) -> str:
        user_value = f"{prefix}.{user}" if user != "NULL" else "NULL"
        group_value = f"{prefix}.{group}" if group != "NULL" else "NULL"
        return (
            "INSERT INTO schools_permissionevent (created_at, action, user_id, group_id, "
            "permission_id, content_type_id, object_pk, context_id) VALUES (NOW(), "
            f"'{action}', {user_value}, {group_value}, {prefix}.permission_id, "
            f"{prefix}.content_type_id, {prefix}.object_pk, _pgh_attach_context());"
        )

    return f"""
    CREATE OR REPLACE FUNCTION portal_record_{table}() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {row("NEW", "insert")} ELSE {row("OLD", "delete")} END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS portal_record ON {table};
    CREATE TRIGGER portal_record AFTER INSERT OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION portal_record_{table}();
    """


def reverse(table: str) -> str:
    return f"""
    DROP TRIGGER IF EXISTS portal_record ON {table};
    DROP FUNCTION IF EXISTS portal_record_{table}();
    """


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0003_history"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.RunSQL(sql(table, *columns), reverse(table))
        for table, columns in TABLES.items()
    ]
