"""Word data files: they ship with the package, load once, and have the shape the code reads."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from factcheck.language import data_files, gazetteer, grammar, lexicon, numbers
from factcheck.language.data_files import NAMES, data_file, read_data
from factcheck.language.entities import alias_key

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def word_lists(name: str) -> list[tuple[str, list]]:
    """Every list in a data file, top-level or a table's value, with a label for messages."""
    found = []
    for key, value in read_data(name).items():
        if isinstance(value, list):
            found.append((f"{name}.{key}", value))
        else:
            found += [(f"{name}.{key}.{k}", v) for k, v in value.items() if isinstance(v, list)]
    return found


def test_every_data_file_is_found_in_the_installed_package():
    folder = files("factcheck.language") / "data"
    assert sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml")) == (
        sorted(f"{name}.toml" for name in NAMES)
    )
    for name in NAMES:
        assert data_file(name).is_file()


def test_data_files_are_package_data():
    """pyproject's package-data ships every file of the data folder in the wheel."""
    patterns = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-data"]
    folder = files("factcheck") / "language" / "data"
    for entry in folder.iterdir():
        path = f"language/data/{entry.name}"
        assert any(fnmatch.fnmatch(path, pattern) for pattern in patterns["factcheck"]), path


@pytest.mark.parametrize("name", NAMES)
def test_no_group_is_empty(name):
    data = read_data(name)
    assert data
    for key, value in data.items():
        assert value, f"{name}.{key} is empty"


@pytest.mark.parametrize("name", ["lexicon", "grammar", "numbers"])
def test_words_are_lower_case_strings_listed_once(name):
    for label, words in word_lists(name):
        flat = [w for pair in words for w in pair] if label.endswith("antonym_pairs") else words
        assert flat, label
        assert all(isinstance(w, str) and w and w == w.lower() for w in flat), label
        if not label.endswith("antonym_pairs"):
            assert len(set(words)) == len(words), f"{label} repeats a word"


def test_lexicon_shapes():
    assert all(len(pair) == 2 for pair in lexicon.antonym_pairs())
    assert set(lexicon.vote_prepositions().values()) <= set(lexicon.synonym_classes())
    assert all(words for words in lexicon.synonym_classes().values())
    for verb, phrasal in lexicon.phrasal_verbs().items():
        assert verb == verb.lower() and phrasal.particles and phrasal.concepts, verb
        assert all(word == word.lower() for word in phrasal.particles | phrasal.concepts)


def test_number_values():
    assert all(isinstance(v, int) for v in numbers.number_words().values())
    assert set(numbers.months().values()) == set(range(1, 13))
    assert all(isinstance(v, float) and v >= 1e3 for v in numbers.scale_words().values())


def test_every_gazetteer_country_has_a_name_and_string_aliases():
    countries = gazetteer.country_aliases()
    assert len(countries) > 100
    for name, aliases in countries.items():
        assert name.strip() == name and name
        assert all(isinstance(alias, str) and alias.strip() for alias in aliases), name
        # Looked up lower-cased with dots dropped: the lookup form is a plain lower-case string.
        assert all(
            alias_key(alias.split()) == alias_key(alias.split()).lower() for alias in aliases
        )
        assert len(set(aliases)) == len(aliases), f"{name} repeats an alias"


def test_an_alias_names_one_country_or_organisation():
    owners: dict[str, set[str]] = {}
    for table in (gazetteer.country_aliases(), gazetteer.organisation_aliases()):
        for name, aliases in table.items():
            for alias in (name, *aliases):
                owners.setdefault(alias_key(alias.split()), set()).add(name)
    assert {form: names for form, names in owners.items() if len(names) > 1} == {}


def test_leaders_speak_for_known_countries_or_organisations():
    known = set(gazetteer.country_aliases()) | set(gazetteer.organisation_aliases())
    assert set(gazetteer.leaders().values()) <= known
    assert set(gazetteer.leader_spellings().values()) <= set(gazetteer.leaders())
    for code, name in gazetteer.pycountry_names().items():
        assert len(code) == 2 and code.isupper() and name in gazetteer.country_aliases()


@pytest.mark.parametrize(
    "accessor",
    [
        lexicon.stop_words,
        lexicon.negation_cues,
        lexicon.synonym_classes,
        grammar.scope_breaks,
        grammar.auxiliaries,
        numbers.months,
        numbers.currency_words,
        gazetteer.country_aliases,
        gazetteer.title_words,
    ],
)
def test_accessors_load_once(accessor):
    first = accessor()
    assert isinstance(first, frozenset | dict | tuple)
    assert accessor() is first


def test_importing_the_language_modules_reads_no_data_file():
    """The files are read on first use, so commands that never analyse text never read them."""
    script = (
        "import factcheck.engine.claim_analysis, factcheck.language.entities;"
        "from factcheck.language.data_files import read_data;"
        "print(read_data.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0"


def test_read_data_is_the_one_reader():
    assert data_files.read_data("lexicon") is read_data("lexicon")
