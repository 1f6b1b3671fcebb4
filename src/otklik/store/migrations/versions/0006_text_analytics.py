"""text analytics: taxonomy (seeded), per-response enrichment, themes, mentions,
analyst corrections, discovered clusters

Revision ID: 0006_text_analytics
Revises: 0005_journey_map
"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import otklik.store.base

revision = "0006_text_analytics"
down_revision = "0005_journey_map"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
DT = otklik.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    theme = op.create_table(
        "text_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("keywords", JSON, nullable=False),
        sa.Column("examples", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_theme")),
        sa.UniqueConstraint("key", name=op.f("uq_text_theme_key")),
    )
    op.create_table(
        "response_text",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("mixed_language", sa.Boolean(), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("redacted_text", sa.Text(), nullable=False),
        sa.Column("pii_counts", JSON, nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("corrected", sa.Boolean(), nullable=False),
        sa.Column("analysed_at", DT, nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_text_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_response_text")),
    )
    op.create_index("ix_response_text_sentiment", "response_text", ["sentiment"])
    op.create_index("ix_response_text_analysed", "response_text", ["analysed_at"])
    op.create_table(
        "response_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("via", sa.String(length=12), nullable=False),
        sa.Column("terms", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_theme_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["text_theme.id"],
            name=op.f("fk_response_theme_theme_id_text_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_theme")),
        sa.UniqueConstraint("response_id", "theme_id", name=op.f("uq_response_theme_response_id")),
    )
    op.create_index("ix_response_theme_theme", "response_theme", ["theme_id", "sentiment"])
    op.create_table(
        "employee_mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("span", sa.String(length=200), nullable=False),
        sa.Column("matched_by", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_employee_mention_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_employee_mention_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_mention")),
    )
    op.create_index("ix_employee_mention_employee", "employee_mention", ["employee_id"])
    op.create_index("ix_employee_mention_response", "employee_mention", ["response_id"])
    op.create_table(
        "text_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("sentiment", sa.String(length=10), nullable=True),
        sa.Column("themes", JSON, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_text_correction_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_text_correction_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_correction")),
    )
    op.create_index("ix_text_correction_response", "text_correction", ["response_id"])
    op.create_table(
        "text_cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_at", DT, nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("terms", JSON, nullable=False),
        sa.Column("examples", JSON, nullable=False),
        sa.Column("response_ids", JSON, nullable=False),
        sa.Column("promoted_theme_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["promoted_theme_id"],
            ["text_theme.id"],
            name=op.f("fk_text_cluster_promoted_theme_id_text_theme"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_cluster")),
    )
    # Seed the default taxonomy (the analyst edits it from here on).
    from otklik.understand.text.taxonomy import DEFAULT_TAXONOMY

    now = otklik.store.base.utcnow()
    op.bulk_insert(
        theme,
        [
            {
                "key": t.key,
                "name_ru": t.name_ru,
                "name_en": t.name_en,
                "keywords": json.loads(json.dumps(list(t.keywords))),
                "examples": list(t.examples),
                "active": True,
                "origin": "default",
                "updated_at": now,
            }
            for t in DEFAULT_TAXONOMY.themes
        ],
    )


def downgrade() -> None:
    for name in (
        "text_cluster",
        "text_correction",
        "employee_mention",
        "response_theme",
        "response_text",
        "text_theme",
    ):
        op.drop_table(name)
