"""Trigram indexes for the account list's free-text search (ILIKE '%...%' on Chinese text).

Declared here, on the existing ``account`` table, so that the models and the
migrations agree (migration ``0002``).
"""

from __future__ import annotations

from sqlalchemy import Index

from core.models.accounts import Account

SEARCH_COLUMNS = ("name", "address", "number")

SEARCH_INDEXES = tuple(
    Index(
        f"ix_account_{column}_trgm",
        Account.__table__.c[column],
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )
    for column in SEARCH_COLUMNS
)
