"""the application's database role: no UPDATE, DELETE or TRUNCATE on the money ledger

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 04:20:00
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: The role the API and the workers act as (``DATABASE_ROLE``; ``api.db`` sets it on
#: every connection). Roles belong to the cluster, so several databases share it.
ROLE = "arrears_app"

# Concurrent migrations (parallel test runs) may both try to create the role. An owner
# without CREATEROLE (production: an administrator made the role, docs/deployment.md)
# does not try. The role's LOGIN and password are given by `flask db ensure`.
CREATE_ROLE = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN
        CREATE ROLE {ROLE} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$
"""

# A login that is not a superuser must be a member to SET ROLE (a superuser may anyway,
# and skipping it avoids concurrent updates of the cluster's membership catalog; so does
# a member already, which also needs no ADMIN OPTION then).
JOIN_ROLE = f"""
DO $$ BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, '{ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT {ROLE} TO %I', current_user);
    END IF;
END $$
"""

# The ledger tables are the ones the append-only trigger guards: REVOKE on top of the
# trigger, so the role cannot even disable it. A later migration that adds a ledger
# table revokes the same (tests/core/money/test_app_role.py fails until it does).
REVOKE_LEDGER = f"""
DO $$ DECLARE t text; BEGIN
    FOR t IN
        SELECT DISTINCT c.relname FROM pg_trigger g
        JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
        WHERE p.proname = 'refuse_ledger_change' AND NOT g.tgisinternal
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM {ROLE}', t);
    END LOOP;
END $$
"""

# Every other schema (a road network imported into ``roads``): read only.
READ_OTHER_SCHEMAS = f"""
DO $$ DECLARE s text; BEGIN
    FOR s IN
        SELECT nspname FROM pg_namespace
        WHERE nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {ROLE}', s);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO {ROLE}', s);
    END LOOP;
END $$
"""


def upgrade() -> None:
    op.execute(CREATE_ROLE)
    op.execute(JOIN_ROLE)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}")
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {ROLE}")
    op.execute(REVOKE_LEDGER)
    op.execute(READ_OTHER_SCHEMAS)
    # Tables, sequences and schemas the migrating login creates later (new migrations,
    # an osm2pgrouting import): the same rights, read-only outside ``public``.
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ROLE}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {ROLE}"
    )
    op.execute(f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {ROLE}")


def downgrade() -> None:
    op.execute(f"ALTER DEFAULT PRIVILEGES REVOKE USAGE ON SCHEMAS FROM {ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM {ROLE}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {ROLE}"
    )
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {ROLE}"
    )
    # The role stays: other databases of the cluster may use it.
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {ROLE}")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {ROLE}")
