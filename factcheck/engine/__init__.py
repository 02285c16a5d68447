"""Engine: from a claim to a verdict.

Claim analysis, retrieval of candidate passages, stance (``stance/``), the verdict and its
confidence, highlighting, the result cache and evaluation. Imports neither Flask nor
``current_app``: it takes a searcher and settings as arguments, so it can be tested and
benchmarked alone. May import ``language``, ``ingest``, ``catalog`` and ``search``.
"""
