"""History: the audit log told as sentences, for the review home page.

The audit log keeps each change with its before and after values as stored. Here each entry
becomes a line a reviewer reads at a glance: who, a sentence naming what they changed ("excluded
a passage of “Harbour report”: share buttons"), and a compact diff of the fields that changed,
values in words ("yes", "none", a long text cut short), never Python's repr of them. The
importer's entries of one run (one per source, written together) become one line: "imported 5
sources: 250 passages, 59 excluded as noise".

Plain functions of a SQLAlchemy session; the pages render what :func:`latest_changes` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.catalog.models import AuditEntry, Passage, Source, as_utc
from factcheck.review.curation import AuditFilter, Page, audit_entries

IMPORT_ACTIONS = frozenset({"import", "reimport"})
# Entries of one import run are written with one timestamp per batch; batches of one run follow
# each other within seconds. Imports further apart than this are told apart.
IMPORT_GAP = timedelta(minutes=5)
MAX_VALUE_LENGTH = 80  # characters of a value shown on each side of a diff
MAX_LIST_SHOWN = 3  # items of a list value named before "and N more"
HIDDEN_FIELDS = frozenset({"version"})  # bookkeeping, not what the reviewer changed
FIELD_WORDS = {
    "published_precision": "date precision",
    "excluded_reason": "reason excluded",
    "is_admin": "admin",
    "url": "URL",
}


@dataclass(frozen=True)
class FieldChange:
    """One field of a change: its name in words, and its values before and after, in words."""

    name: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    """One line of the history: ``actor`` ``verb`` ``subject`` ``detail``, and its diff.

    ``subject`` names the thing changed (a source's title, a claim), linked to its page when
    ``target`` (entity type, id) has one; ``entries`` counts the audit entries told by the line.
    """

    at: datetime
    actor: str
    verb: str
    subject: str = ""
    target: tuple[str, str] | None = None
    detail: str = ""
    diff: tuple[FieldChange, ...] = ()
    entries: int = 1

    @property
    def sentence(self) -> str:
        """The line as plain text."""
        subject = f" “{self.subject}”" if self.subject else ""
        return f"{self.actor} {self.verb}{subject}{self.detail}"


@dataclass
class _Names:
    """What the sentences call sources and passages: titles, and the source of each passage."""

    titles: dict[str, str] = field(default_factory=dict)
    source_of: dict[str, str] = field(default_factory=dict)

    def title(self, source_id: str) -> str:
        return self.titles.get(source_id, source_id)


def latest_changes(
    session: Session, *, page: int = 1, per_page: int = 20, source_id: str | None = None
) -> Page:
    """A page of the audit log (or of one source's and its passages' entries), newest first,
    as :class:`Change` lines (imports grouped)."""
    criteria = AuditFilter(source_id=source_id, page=page, per_page=per_page)
    entries = audit_entries(session, criteria)
    return Page(tell(session, entries.items), entries.page, entries.per_page, entries.total)


def tell(session: Session, entries: Sequence[AuditEntry]) -> list[Change]:
    """Audit entries (newest first) as lines: one per entry, one per import run."""
    names = _names(session, entries)
    changes: list[Change] = []
    run: list[AuditEntry] = []
    for entry in entries:
        if run and not _same_import(run, entry):
            changes.append(_import_line(run, names))
            run = []
        if entry.action in IMPORT_ACTIONS and entry.entity_type == "source":
            run.append(entry)
            continue
        changes.append(_line(entry, names))
    if run:
        changes.append(_import_line(run, names))
    return changes


def words(value: Any) -> str:
    """A stored value in words: none, yes/no, a short list, a text cut to a readable length."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        shown = ", ".join(words(item) for item in value[:MAX_LIST_SHOWN])
        more = len(value) - MAX_LIST_SHOWN
        return shown + (f" and {more} more" if more > 0 else "")
    if isinstance(value, dict):
        return "; ".join(f"{_field_name(key)} {words(item)}" for key, item in value.items())
    text = " ".join(str(value).split())
    if len(text) > MAX_VALUE_LENGTH:
        return text[: MAX_VALUE_LENGTH - 1].rstrip() + "…"
    return text


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[FieldChange, ...]:
    """The fields whose values differ, in words, in the order they were recorded."""
    before, after = before or {}, after or {}
    names = list(dict.fromkeys([*before, *after]))
    return tuple(
        FieldChange(_field_name(name), words(before.get(name)), words(after.get(name)))
        for name in names
        if name not in HIDDEN_FIELDS and before.get(name) != after.get(name)
    )


# One entry ----------------------------------------------------------------------------------


def _line(entry: AuditEntry, names: _Names) -> Change:
    """One entry as a line."""
    at, actor = as_utc(entry.at), entry.actor
    before, after = entry.before or {}, entry.after or {}
    kind, entity = entry.entity_type, entry.entity_id
    if kind == "source":
        source = ("source", entity)
        title = names.title(entity)
        if entry.action == "edit":
            return Change(at, actor, "edited the source", title, source, diff=diff(before, after))
        if entry.action in ("retire", "restore"):
            return Change(at, actor, f"{entry.action}d the source", title, source)
    if kind == "passage":
        return _passage_line(entry, names)
    if entry.action == "add_reviewer":
        admin = " as an admin" if after.get("is_admin") else ""
        return Change(at, actor, "added the reviewer", after.get("name", entity), detail=admin)
    if entry.action == "issue_token":
        label = f" “{after['label']}”" if after.get("label") else ""
        return Change(at, actor, f"created an API token{label}", detail=_of_whom(actor, entity))
    if entry.action == "revoke_token":
        count = len(after.get("token_ids") or [])
        tokens = "an API token" if count == 1 else f"{count} API tokens"
        return Change(at, actor, f"revoked {tokens}", detail=_of_whom(actor, entity))
    if entry.action == "sign_off":
        verdict, automatic = after.get("verdict"), before.get("verdict")
        engine = (
            "agreeing with the engine"
            if verdict == automatic
            else (f"where the engine said {_verdict_words(automatic)}")
        )
        return Change(
            at,
            actor,
            "signed off",
            words(after.get("claim")),
            detail=f" as {_verdict_words(verdict)}, {engine}",
        )
    subject = names.title(entity) if kind == "source" else f"{kind} {entity}"
    return Change(
        at,
        actor,
        entry.action.replace("_", " "),
        subject,
        (kind, entity) if kind in ("source", "passage") else None,
        diff=diff(before, after),
    )


def _passage_line(entry: AuditEntry, names: _Names) -> Change:
    """A passage's exclusion, inclusion, correction or note, naming its source."""
    at, actor = as_utc(entry.at), entry.actor
    before, after = entry.before or {}, entry.after or {}
    target = ("passage", entry.entity_id)
    title = names.title(names.source_of.get(entry.entity_id, entry.entity_id))
    if entry.action == "exclude":
        reason = after.get("excluded_reason")
        return Change(at, actor, "excluded a passage of", title, target, _colon(reason))
    if entry.action == "include":
        return Change(
            at, actor, "included again a passage of", title, target, _colon(after.get("reason"))
        )
    if entry.action == "correct":
        return Change(at, actor, "corrected a passage of", title, target, diff=diff(before, after))
    if entry.action == "note":
        if not after.get("note"):
            return Change(at, actor, "removed the note on a passage of", title, target)
        return Change(at, actor, "noted on a passage of", title, target, _colon(after["note"]))
    verb = entry.action.replace("_", " ") + " a passage of"
    return Change(at, actor, verb, title, target, diff=diff(before, after))


# Imports ------------------------------------------------------------------------------------


def _same_import(run: list[AuditEntry], entry: AuditEntry) -> bool:
    """Whether ``entry`` belongs to the import run collected so far (newest first)."""
    last = run[-1]
    return (
        entry.action in IMPORT_ACTIONS
        and entry.entity_type == "source"
        and entry.actor == last.actor
        and as_utc(last.at) - as_utc(entry.at) <= IMPORT_GAP
    )


def _import_line(run: list[AuditEntry], names: _Names) -> Change:
    """One import run as one line: how many sources and passages, how many excluded as noise."""
    first = run[0]
    afters = [entry.after or {} for entry in run]
    added = sum(len(after.get("added") or []) for after in afters)
    noise = sum(after.get("excluded_as_noise") or 0 for after in afters)
    withdrawn = sum(len(after.get("withdrawn") or []) for after in afters)
    restored = sum(len(after.get("restored") or []) for after in afters)
    new = all(entry.action == "import" for entry in run)
    verb = "imported" if new else "re-imported"
    counts = [_count(added, "passage" if new else "passage added")]
    if noise:
        counts[0] += f", {noise} excluded as noise"
    if withdrawn:
        counts.append(f"{withdrawn} withdrawn")
    if restored:
        counts.append(f"{restored} restored")
    if len(run) == 1:
        source_id = first.entity_id
        changed = diff(first.before, (first.after or {}).get("source")) if first.before else ()
        return Change(
            as_utc(first.at),
            first.actor,
            verb,
            names.title(source_id),
            ("source", source_id),
            ": " + ", ".join(counts),
            changed,
        )
    return Change(
        as_utc(first.at),
        first.actor,
        f"{verb} {len(run)} sources",
        detail=": " + ", ".join(counts),
        entries=len(run),
    )


# Helpers ------------------------------------------------------------------------------------


def _names(session: Session, entries: Iterable[AuditEntry]) -> _Names:
    """Titles of the sources the entries name, and the source of each passage they name."""
    names = _Names()
    passage_ids = {e.entity_id for e in entries if e.entity_type == "passage"}
    if passage_ids:
        rows = session.execute(
            select(Passage.id, Passage.source_id).where(Passage.id.in_(passage_ids))
        )
        names.source_of = {passage_id: source_id for passage_id, source_id in rows}
    source_ids = {e.entity_id for e in entries if e.entity_type == "source"}
    source_ids |= set(names.source_of.values())
    if source_ids:
        rows = session.execute(select(Source.id, Source.title).where(Source.id.in_(source_ids)))
        names.titles = {source_id: title for source_id, title in rows}
    return names


def _field_name(name: str) -> str:
    return FIELD_WORDS.get(name, name.replace("_", " "))


def _verdict_words(verdict: Any) -> str:
    return str(verdict or "unknown").replace("_", " ")


def _colon(text: Any) -> str:
    return f": {words(text)}" if text else ""


def _count(number: int, noun: str) -> str:
    first, _space, rest = noun.partition(" ")
    plural = first if number == 1 else first + "s"
    return f"{number} {plural}" + (f" {rest}" if rest else "")


def _of_whom(actor: str, reviewer: str) -> str:
    return "" if actor == reviewer else f" of {reviewer}"
