"""factcheck: verify a claim against curated news sources.

The package reads like the pipeline it runs: sources -> passages -> catalog -> index ->
retrieval -> stance -> verdict, with the web, API, review and CLI layers on top.
"""
