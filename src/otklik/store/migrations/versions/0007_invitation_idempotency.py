"""invitation idempotency: the trigger API's retry keys

Invitation gets idempotency_key (the Idempotency-Key header) and event_id (the caller's
id of the event), each with a unique index, and request_hash (the body a retry must
repeat). Unique indexes rather than constraints: SQLite adds them without copying the table.

Revision ID: 0007_invitation_idempotency
Revises: 0006_text_analytics
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_invitation_idempotency"
down_revision = "0006_text_analytics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("event_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("uq_invitation_idempotency_key", ["idempotency_key"], unique=True)
        batch_op.create_index("uq_invitation_event_id", ["event_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index("uq_invitation_event_id")
        batch_op.drop_index("uq_invitation_idempotency_key")
        batch_op.drop_column("request_hash")
        batch_op.drop_column("event_id")
        batch_op.drop_column("idempotency_key")
