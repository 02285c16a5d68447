"""Ingest: from a document to the passages the catalog stores.

Reading documents (Markdown with front matter, text, HTML, JSON Lines), splitting them into
sentences, telling page noise from prose, building passages with their context, and fetching a
page from the web safely. May import ``language``; knows nothing of the catalog or the index.
"""
