"""Search: the Whoosh index derived from the catalog, and keeping the two in step.

``index`` opens, writes and swaps index generations (the only module that writes Whoosh);
``bulk_search`` scores whole postings lists (the only module that reads Whoosh's internals);
``indexing`` re-indexes sources and rebuilds from the catalog; ``feed`` applies the catalog's
change feed to a node's index (the one way an index follows the catalog) and ``feed_follower``
is the one process per index directory that does so in the background; ``file_lock`` is the
one lock the index writer, the embedding pass and the follower take; ``drift`` finds and repairs
where the index and the catalog disagree; ``vectors`` keeps each passage's vector for dense
retrieval; ``background`` runs the passes that follow the index (embedding, re-checking) one at a
time in a daemon thread; ``importer`` writes files into the catalog and then brings the index up
to date, which is why it lives here and not in ``ingest``. May import ``language``, ``ingest``
and ``catalog``.
"""
