"""Stance: whether a passage supports the claim, refutes it, or neither, and why.

``rules`` holds the rule-based analyzer. May import the rest of ``engine`` below it (claim
analysis, evidence) and ``language``.
"""
