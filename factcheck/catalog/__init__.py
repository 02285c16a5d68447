"""Catalog: the durable store of sources, passages, their curation state and the audit log.

``models`` declares the tables, ``database`` opens engines and sessions (and migrates them with the
Alembic revisions in ``migrations/``), ``store`` holds the operations on them (import, queries) as
plain functions of a session, ``feed`` writes and reads the change feed (one entry per committed
change to what is searchable, in the change's own transaction), and ``public`` is what readers
may see. The search index is derived from this catalog and can always be rebuilt from it. May
import ``language`` and ``ingest``.
"""
