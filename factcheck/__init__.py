"""factcheck: verify a claim against curated news sources.

The folders are the pipeline, lowest first; a folder may import from the folders before it in
this list, never from one after it (``tests/test_layers.py`` walks the imports and fails on one):

1. ``language/``: words, names, numbers and their readings (no imports from the package).
2. ``ingest/``: documents in, sentences and passages out, and fetching a page.
3. ``catalog/``: the durable store of sources, passages, curation, reviews and the audit log.
4. ``search/``: the Whoosh index derived from the catalog, kept in step with it, and the importer.
5. ``engine/``: claim analysis, retrieval, stance, verdict, evaluation; no Flask.
6. ``web/``: the public pages, the verify API, the check log and request protection.
7. ``review/``: reviewers, curation, sign-offs, and their pages and API.
8. ``commands/``: the ``factcheck`` command line.

At the top level sit only what every layer shares or what wires them together: ``settings`` and
``errors`` (importable from anywhere, importing nothing of the package), ``extensions`` (the
per-app catalog and index, for the Flask layers), ``app`` (the factory) and ``cli``.
"""
