"""a user's tokens stop working at once when their role, password or active flag changes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:50:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Whatever path changes the row (the API, the CLI, plain SQL), the token version moves,
# and every request checks the token's version against the row (api/auth/tokens.py).
BUMP = """
CREATE OR REPLACE FUNCTION bump_token_version() RETURNS trigger AS $$
BEGIN
    IF NEW.role IS DISTINCT FROM OLD.role
        OR NEW.active IS DISTINCT FROM OLD.active
        OR NEW.password_hash IS DISTINCT FROM OLD.password_hash
        OR NEW.username IS DISTINCT FROM OLD.username THEN
        NEW.token_version := GREATEST(NEW.token_version, OLD.token_version + 1);
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.execute(BUMP)
    op.execute(
        "CREATE TRIGGER app_user_token_version BEFORE UPDATE ON app_user "
        "FOR EACH ROW EXECUTE FUNCTION bump_token_version()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS app_user_token_version ON app_user")
    op.execute("DROP FUNCTION IF EXISTS bump_token_version()")
