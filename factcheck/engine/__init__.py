"""Engine: from a claim to a verdict.

Claim analysis, retrieval of candidate passages, stance (``stance/``: analyzers by name), the
verdict and its confidence (``calibration/``: one fitted calibration per analyzer),
highlighting, the result cache and evaluation. Imports neither Flask nor ``current_app``: it
takes a searcher, an analyzer and settings as arguments, so it can be tested and benchmarked
alone. May import ``language``, ``ingest``, ``catalog`` and ``search``.
"""
