"""survey drafts: partial answers of public survey pages

Revision ID: 0002_survey_draft
Revises: 0001
Create Date: 2026-11-23 18:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import otklik.store.base

revision = "0002_survey_draft"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=80), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=48), nullable=True),
        sa.Column("started_at", otklik.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", otklik.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_draft_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_draft")),
    )
    with op.batch_alter_table("survey_draft", schema=None) as batch_op:
        batch_op.create_index(
            "uq_survey_draft_respondent", ["survey_id", "respondent_key"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_survey_draft_updated_at"), ["updated_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("survey_draft")
