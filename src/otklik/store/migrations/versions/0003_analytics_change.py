"""Analytics change log: triggers record every update or delete of a response.

The columnar analytics mirror (``otklik.understand.engine``) holds immutable
copies of responses; these triggers tell it which copies went stale (erased,
edited, or re-pointed by ``ON DELETE SET NULL``) so it excludes them until the
next compaction rewrites its segments.

Revision ID: 0003_analytics_change
Revises: 0002_survey_draft
"""

import sqlalchemy as sa
from alembic import op

import otklik.store.base

revision = "0003_analytics_change"
down_revision = "0002_survey_draft"
branch_labels = None
depends_on = None

# Only columns the mirror keeps; a change to the comment or the answers JSON does not matter.
MIRRORED = "survey_id, customer_id, touchpoint_id, unit_id, channel, source, nps, csat, ces, language, submitted_at"


def upgrade() -> None:
    op.create_table(
        "analytics_change",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column(
            "changed_at",
            otklik.store.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_analytics_change")),
    )
    with op.batch_alter_table("analytics_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_change_response_id"), ["response_id"], unique=False
        )

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER analytics_response_deleted AFTER DELETE ON response BEGIN "
            "INSERT INTO analytics_change (response_id) VALUES (old.id); END"
        )
        op.execute(
            f"CREATE TRIGGER analytics_response_updated AFTER UPDATE OF {MIRRORED} ON response "
            "BEGIN INSERT INTO analytics_change (response_id) VALUES (old.id); END"
        )
    else:
        op.execute(
            "CREATE FUNCTION analytics_response_changed() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO analytics_change (response_id) VALUES (OLD.id); RETURN NULL; END $$ "
            "LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER analytics_response_deleted AFTER DELETE ON response "
            "FOR EACH ROW EXECUTE FUNCTION analytics_response_changed()"
        )
        op.execute(
            f"CREATE TRIGGER analytics_response_updated AFTER UPDATE OF {MIRRORED} ON response "
            "FOR EACH ROW EXECUTE FUNCTION analytics_response_changed()"
        )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS analytics_response_deleted"
        + ("" if op.get_bind().dialect.name == "sqlite" else " ON response")
    )
    op.execute(
        "DROP TRIGGER IF EXISTS analytics_response_updated"
        + ("" if op.get_bind().dialect.name == "sqlite" else " ON response")
    )
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS analytics_response_changed()")
    with op.batch_alter_table("analytics_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_change_response_id"))
    op.drop_table("analytics_change")
