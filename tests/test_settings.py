"""Settings: three layers, computed defaults, and every setting documented in the README."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from factcheck import settings
from factcheck.app import create_app
from factcheck.settings import SETTINGS, resolve_settings

PACKAGE_DIR = Path(settings.__file__).resolve().parent
README = PACKAGE_DIR.parent / "README.md"


def resolve(tmp_path: Path, environ: dict[str, str] | None = None, overrides=None) -> dict:
    """Resolve settings with an instance folder under ``tmp_path``."""
    return resolve_settings(
        package_dir=PACKAGE_DIR,
        instance_path=tmp_path / "instance",
        environ=environ or {},
        overrides=overrides,
    )


def test_defaults(tmp_path: Path) -> None:
    config = resolve(tmp_path)
    root = PACKAGE_DIR.parent
    assert config["INDEX_DIR"] == str(root / "index")
    assert config["SOURCES_DIR"] == str(root / "sources")
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'factcheck.sqlite3'}"
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert config["AUTO_MIGRATE"] is True


def test_environment_overrides_defaults_and_test_config_overrides_both(tmp_path: Path) -> None:
    environ = {
        "FACTCHECK_INDEX_DIR": str(tmp_path / "env-index"),
        "FACTCHECK_MAX_CONTENT_LENGTH": "2048",
        "FACTCHECK_AUTO_MIGRATE": "off",
        "FACTCHECK_SECRET_KEY": "from-env",
    }
    config = resolve(tmp_path, environ)
    assert config["INDEX_DIR"] == str(tmp_path / "env-index")
    assert config["MAX_CONTENT_LENGTH"] == 2048
    assert config["AUTO_MIGRATE"] is False
    assert config["SECRET_KEY"] == "from-env"

    config = resolve(tmp_path, environ, {"MAX_CONTENT_LENGTH": 10, "TESTING": True})
    assert config["MAX_CONTENT_LENGTH"] == 10
    assert config["TESTING"] is True  # unregistered keys pass through
    assert config["SECRET_KEY"] == "from-env"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("FACTCHECK_MAX_CONTENT_LENGTH", "lots"), ("FACTCHECK_AUTO_MIGRATE", "perhaps")],
)
def test_bad_environment_value_names_the_variable(tmp_path: Path, variable: str, value: str):
    with pytest.raises(ValueError, match=variable):
        resolve(tmp_path, {variable: value})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = resolve(tmp_path)["SECRET_KEY"]
    second = resolve(tmp_path)["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert first == second and len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_create_app_reads_the_environment_when_called(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FACTCHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("FACTCHECK_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("FACTCHECK_SECRET_KEY", "s")
    app = create_app({"SOURCES_DIR": str(tmp_path)})
    assert app.config["DATABASE_URL"].endswith("env.sqlite3")
    assert app.config["SOURCES_DIR"] == str(tmp_path)
    assert (tmp_path / "env.sqlite3").exists()


def test_every_setting_is_in_the_readme_table() -> None:
    documented = set(re.findall(r"^\| `FACTCHECK_([A-Z_]+)` \|", README.read_text(), re.M))
    registered = {setting.name for setting in SETTINGS}
    assert registered - documented == set(), "settings missing from the README's table"
    assert documented - registered == set(), "README documents settings that do not exist"


def test_every_setting_has_help() -> None:
    for setting in SETTINGS:
        assert setting.help.strip(), setting.name
