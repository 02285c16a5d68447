"""Review: what signed-in reviewers do.

Reviewers and their tokens, sign-in, curation of sources and passages (every change audited),
sign-offs of claims, and the pages and API for all of it. May import every layer below it,
``web`` included (a sign-off re-checks a claim, the reviewers' pages read the check log).
"""
