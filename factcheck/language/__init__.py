"""Language: what the engine knows of words, names and numbers.

Text analysis (tokens, lemmas, negation, readings of a sentence), the lexicon of verbs and
relations, the gazetteer of countries and their capitals, leaders and demonyms, entity aliases and
number parsing. Pure functions and data loaded once: the word lists live in ``data/`` (TOML, a
comment per group, read on first use by :mod:`factcheck.language.data_files`). Imports nothing
else of the package.
"""
