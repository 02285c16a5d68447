"""Settings: the single registry of every option the service reads.

Each :class:`Setting` has a name, a default and a help text; the README's settings table is
checked against :data:`SETTINGS` by a test, so an option cannot exist undocumented. Values come
in three layers, later ones winning:

1. the defaults below (paths resolved against the project root, see :func:`project_root`);
2. ``FACTCHECK_<NAME>`` environment variables;
3. a mapping passed to ``create_app(test_config)``.

Nothing is read at import time: :func:`resolve_settings` is called by the application factory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "FACTCHECK_"


@dataclass(frozen=True)
class Setting:
    """One option: its name, its default (``None`` when computed at start-up) and its help."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str  # turns the environment variable's text into a value


def _parse_bool(text: str) -> bool:
    """Read "1/true/yes/on" as true and "0/false/no/off/" as false."""
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {text!r}")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL of the catalog. Default: a SQLite file, `instance/factcheck.sqlite3`. "
        "PostgreSQL URLs (`postgresql://`, `postgres://`, `postgresql+psycopg://`) use psycopg 3.",
    ),
    Setting(
        "INDEX_DIR",
        "index",
        "Directory of the Whoosh index (derived from the catalog; safe to delete). "
        "A relative default is resolved against the project root, a relative value given in the "
        "environment against the current directory.",
    ),
    Setting(
        "SOURCES_DIR",
        "sources",
        "Directory of curated source files that `factcheck serve` imports into an empty catalog.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Flask secret key. If unset, one is generated once and kept in `instance/secret_key`.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        1024 * 1024,
        "Largest request body accepted, in bytes; larger bodies get a 413 error.",
        int,
    ),
    Setting(
        "MAX_SOURCE_CHARACTERS",
        200_000,
        "Longest text a reviewer may add as one source (pasted, uploaded or fetched), in "
        "characters; a longer one is refused at once with a 413 error. `factcheck import` is "
        "not limited.",
        int,
    ),
    Setting(
        "MAX_SOURCE_PASSAGES",
        2_000,
        "Most passages one added source may split into; more are refused with a 422 error "
        "before anything is saved.",
        int,
    ),
    Setting(
        "SECURE_COOKIES",
        True,
        "Mark the reviewers' session cookie Secure (sent over HTTPS only). Turn off only to "
        "sign in over plain http, as tests on a local server do.",
        _parse_bool,
    ),
    Setting(
        "RATE_LIMIT",
        "60/minute",
        "Claim checks (`POST /api/v1/verify` and `/check`) allowed per client address, as "
        "Flask-Limiter writes limits (`60/minute`, `5/second;100/hour`), counted in "
        "`RATE_LIMIT_STORAGE`; `off` for none. Off in test apps unless a test sets "
        "`RATELIMIT_ENABLED`.",
    ),
    Setting(
        "RATE_LIMIT_STORAGE",
        "memory://",
        "Where the rate limit is counted, as a Flask-Limiter storage URI: `memory://` in each "
        "worker's memory (a client may get N workers × M nodes times the budget), or "
        "`redis://HOST:PORT/DB` in one Redis shared by every worker of every node. If Redis "
        "cannot be reached, each worker counts in memory until it answers again (no 5xx).",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many reverse proxies (nginx) stand in front of the app. With 1 or more, the "
        "client's address (for the rate limit and sign-in throttling) is read from "
        "`X-Forwarded-For` and the scheme from `X-Forwarded-Proto`, as that many proxies set "
        "them; with 0 those headers are ignored. Set it only when clients cannot reach the "
        "app except through the proxies.",
        int,
    ),
    Setting(
        "RESULT_CACHE_SIZE",
        1024,
        "Check results each worker keeps for reuse while the index is unchanged (the same "
        "claim checked again is answered at once); 0 turns the cache off.",
        int,
    ),
    Setting(
        "RECHECK_DAYS",
        7,
        "After an import or a curation change, the claims checked in this many past days are "
        "checked again in the background and those whose verdict moved are listed on "
        "`/review/changes`; 0 turns the re-check off.",
        int,
    ),
    Setting(
        "RECHECK_LIMIT",
        200,
        "Most claims one background re-check pass checks again (the most recently asked first).",
        int,
    ),
    Setting(
        "STANCE_ANALYZER",
        "learned",
        "The stance analyzer that judges each candidate passage, by its registered name "
        "(`factcheck.engine.stance.registry`): `learned`, the rules' and the sentence "
        "encoder's signals combined by a fitted model that also sets the confidence; `rules`, "
        "the rule-based analyzer; or `meaning`, the rules plus paraphrases read by the sentence "
        "encoder. An unknown name stops the app at start with the names registered.",
    ),
    Setting(
        "DENSE_RETRIEVAL",
        True,
        "Find candidates by meaning as well as by words: passage vectors from a sentence "
        "encoder, computed in the background after an import or a change and kept under "
        "`INDEX_DIR/vectors/`, ranked beside BM25F and fused. Until the vectors cover the "
        "index, and when off, retrieval is BM25F alone. Off in test apps unless a test sets it.",
        _parse_bool,
    ),
    Setting(
        "FEED_POLL_SECONDS",
        0.5,
        "How often a node's feed follower (one process per `INDEX_DIR`) looks for catalog "
        "changes it has not applied, in seconds. On PostgreSQL it also wakes at once on "
        "`NOTIFY factcheck_feed`.",
        float,
    ),
    Setting(
        "FEED_REBUILD_AFTER",
        1_000,
        "A node more than this many change-feed entries behind the catalog (or with no index) "
        "rebuilds its index from the catalog and swaps it in, instead of applying the entries.",
        int,
    ),
    Setting(
        "MAX_FEED_LAG_SECONDS",
        30.0,
        "`GET /api/v1/health` answers 503 (status `lagging`) when the oldest change-feed entry "
        "this node has not applied is older than this, in seconds, so a load balancer takes "
        "the node out until it catches up.",
        float,
    ),
    Setting(
        "AUTO_MIGRATE",
        True,
        "Upgrade the catalog schema (Alembic `upgrade head`) when the app starts.",
        _parse_bool,
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


def project_root(package_dir: Path) -> Path:
    """The checkout the package runs from, or the current directory for an installed package."""
    candidate = package_dir.parent
    if (candidate / "pyproject.toml").is_file():
        return candidate
    return Path.cwd()


def resolve_settings(
    *,
    package_dir: Path,
    instance_path: Path,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Merge defaults, ``FACTCHECK_*`` variables and overrides into a config mapping.

    Keys of ``overrides`` that are not registered settings (``TESTING`` for instance) are passed
    through unchanged, so a test can set any Flask option.
    """
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    root = project_root(package_dir)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        env_name = ENV_PREFIX + setting.name
        if setting.name in overrides:
            values[setting.name] = overrides[setting.name]
        elif env_name in environ:
            try:
                values[setting.name] = setting.parse(environ[env_name])
            except ValueError as error:
                raise ValueError(f"{env_name}: {error}") from error
        else:
            values[setting.name] = setting.default
            if setting.name in {"INDEX_DIR", "SOURCES_DIR"}:
                values[setting.name] = str(root / setting.default)
    for name in ("INDEX_DIR", "SOURCES_DIR"):
        values[name] = str(Path(values[name]).expanduser().resolve())
    if not values["DATABASE_URL"]:
        instance_path.mkdir(parents=True, exist_ok=True)
        values["DATABASE_URL"] = f"sqlite:///{instance_path / 'factcheck.sqlite3'}"
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = load_or_create_secret_key(instance_path / "secret_key")
    extra = {key: value for key, value in overrides.items() if key not in SETTINGS_BY_NAME}
    return {**values, **extra}


def load_or_create_secret_key(path: Path) -> str:
    """Return the key kept in ``path``, generating it (owner-readable only) on first use."""
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: if two processes race, the loser reads the winner's key instead of replacing it.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
