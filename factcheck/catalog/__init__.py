"""Catalog: the durable store of sources, passages, their curation state and the audit log.

``models`` declares the tables, ``database`` opens engines and sessions (and migrates them), and
``store`` holds the operations on them (import, queries) as plain functions of a session.
The search index is derived from this catalog and can always be rebuilt from it.
"""
