"""Completing metadata online, reviewing proposals and regenerating citation keys (issue 14).

One run: choose papers, resolve them through ``core.completion`` (network, no writes),
then write what matched convincingly, store the rest as proposals, record provenance
and completion state, regenerate provisional keys - all as one undoable step.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from desktop_app import __version__
from desktop_app.core import citekey_rules
from desktop_app.core.changes import Changes
from desktop_app.core.completion import EMPTY, FIELD_WORDS, CompletionChain, Progress, Resolution
from desktop_app.core.facade.papers import PaperOps
from desktop_app.domain.errors import InvalidInputError
from desktop_app.domain.models import Author, Paper
from desktop_app.metadata.cancel import Cancelled, CancelToken
from desktop_app.metadata.client import ClientConfig, PoliteClient
from desktop_app.metadata.matching import Action
from desktop_app.storage import completion as bookkeeping
from desktop_app.storage import organise
from desktop_app.storage import papers as store

CACHE_DIR = "cache/metadata"
CHUNK = 100  # papers resolved (and kept, if the run is cancelled later) together


@dataclass
class PaperOutcome:
    """One paper's line in a completion report."""

    paper_id: int
    citekey: str
    title: str
    status: str  # completed | proposed | not found | error | cancelled
    detail: str = ""
    fields: list[str] = field(default_factory=list)
    old_citekey: str = ""

    def line(self) -> str:
        key = f"{self.old_citekey} -> {self.citekey}" if self.old_citekey else self.citekey
        return f"{key}: {self.status}" + (f" {self.detail}" if self.detail else "")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CompletionReport:
    outcomes: list[PaperOutcome] = field(default_factory=list)
    requests: dict[str, object] = field(default_factory=dict)
    elapsed: float = 0.0
    cancelled: bool = False
    dry_run: bool = False
    changes: Changes = field(default_factory=Changes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("completed", "proposed", "not found", "error") if self.count(s)]
        text = ", ".join(parts) or "nothing to complete"
        return text + (" (cancelled)" if self.cancelled else "") + (" (dry run: nothing stored)" if self.dry_run else "")


@dataclass
class CompletionRun:
    """What the services answered for a run, before anything is stored."""

    ids: list[int]
    started: float
    resolved: list[Resolution] = field(default_factory=list)
    requests: dict[str, object] = field(default_factory=dict)
    cancelled: bool = False


def _json_value(value: object) -> object:
    if isinstance(value, list) and value and isinstance(value[0], Author):
        return [[a.family, a.given, a.literal] for a in value]
    return value


def _from_json(name: str, value: Any) -> object:
    if name == "authors":
        return [Author(family=f, given=g, literal=lit) for f, g, lit in value]
    return value


def _display(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(a.display_name if isinstance(a, Author) else str(a) for a in value)
    return "" if value is None else str(value)


class CompletionOps(PaperOps):
    # -- settings ------------------------------------------------------------------------

    def metadata_settings(self) -> dict[str, str]:
        rows = self.db.conn.execute("SELECT key, value FROM settings WHERE key LIKE 'metadata.%' "
                                    "OR key = ?", (citekey_rules.FORMULA_SETTING,)).fetchall()
        return {k: v for k, v in rows}

    def set_metadata_setting(self, key: str, value: str) -> None:
        self._require_writable()
        if not key.startswith("metadata."):
            raise InvalidInputError(f"{key!r} is not a metadata setting")
        with self.db.write() as conn:
            organise.set_setting(conn, key, value.strip())

    @property
    def citekey_formula(self) -> str:
        return citekey_rules.formula(self.db.conn)

    def set_citekey_formula(self, value: str) -> None:
        self._require_writable()
        try:
            with self.db.write() as conn:
                citekey_rules.set_formula(conn, value)
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="formula") from exc

    def metadata_client(self, cancel: CancelToken | None = None, **overrides: Any) -> PoliteClient:
        config = ClientConfig.from_settings(self.metadata_settings(), app_version=__version__,
                                            cache_dir=self.directory / CACHE_DIR)
        for name, value in overrides.items():
            setattr(config, name, value)
        return PoliteClient(config, cancel=cancel)

    # -- reading ---------------------------------------------------------------------------

    def incomplete_ids(self) -> list[int]:
        """Papers lacking a title, an author or a year (those still waiting included)."""
        rows = self.db.conn.execute(
            "SELECT id FROM papers WHERE title = '' OR authors = '[]' OR year IS NULL ORDER BY id")
        return [r[0] for r in rows]

    def waiting_ids(self) -> list[int]:
        """Papers known only by an identifier, or whose last completion failed (offline, errors)."""
        rows = self.db.conn.execute(
            "SELECT id FROM papers WHERE (title = '' AND (arxiv_id != '' OR doi != '')) "
            "OR id IN (SELECT paper_id FROM completion_state WHERE state = 'error') ORDER BY id")
        return [r[0] for r in rows]

    def provenance(self, ref: int | str) -> list[str]:
        """``["authors and year from arXiv 2310.01234", ...]``."""
        pid = self.resolve(ref)
        return [f"{fields} from {source}" for source, fields, _at in
                bookkeeping.sources(self.db.conn, [pid]).get(pid, [])]

    def completion_state(self, ref: int | str) -> bookkeeping.CompletionRow | None:
        pid = self.resolve(ref)
        return bookkeeping.completion_rows(self.db.conn, [pid]).get(pid)

    def proposal_ids(self) -> list[int]:
        return bookkeeping.ids_in_state(self.db.conn, "proposed")

    def proposal(self, ref: int | str) -> dict[str, Any] | None:
        """A stored proposal: ``{"source", "verdict", "fields": {name: [current, proposed]}}``."""
        row = self.completion_state(ref)
        if row is None or row.state != "proposed" or not row.proposal:
            return None
        data = json.loads(row.proposal)
        paper = self.paper(ref)
        data["fields"] = {name: [_display(getattr(paper, name)), _display(_from_json(name, value))]
                          for name, value in data["values"].items()}
        return data

    # -- the run -----------------------------------------------------------------------------

    def complete_metadata(self, ids: Sequence[int], *, dry_run: bool = False, cancel: CancelToken | None = None,
                          progress: Progress | None = None, client: PoliteClient | None = None,
                          on_outcome: Callable[[PaperOutcome], None] | None = None) -> CompletionReport:
        """Complete ``ids`` online; one undoable step; a cancelled run keeps the chunks it finished."""
        run = self.resolve_metadata(ids, cancel=cancel, progress=progress, client=client)
        return self.store_metadata(run, dry_run=dry_run, on_outcome=on_outcome)

    def resolve_metadata(self, ids: Sequence[int], *, cancel: CancelToken | None = None,
                         progress: Progress | None = None, client: PoliteClient | None = None) -> CompletionRun:
        """Ask the services (no writes: safe beside edits); ``store_metadata`` writes the answers."""
        started = time.monotonic()
        own_client = client is None
        client = client or self.metadata_client(cancel)
        run = CompletionRun(list(ids), started)
        try:
            chain = CompletionChain(client, progress)
            for start in range(0, len(ids), CHUNK):
                papers = self.papers(list(ids[start:start + CHUNK]))
                run.resolved.extend(chain.resolve(papers).values())
        except Cancelled:
            run.cancelled = True
        finally:
            run.requests = client.stats.as_dict()
            if own_client:
                client.close()
        return run

    def store_metadata(self, run: CompletionRun, *, dry_run: bool = False,
                       on_outcome: Callable[[PaperOutcome], None] | None = None) -> CompletionReport:
        if not dry_run:
            self._require_writable()
        report = CompletionReport(dry_run=dry_run, cancelled=run.cancelled, requests=run.requests)
        done = {r.paper.id for r in run.resolved}
        report.outcomes = self._store_resolutions(run.resolved, dry_run=dry_run)
        if run.cancelled:
            report.outcomes += [PaperOutcome(p.id or 0, p.citekey, p.title, "cancelled")
                                for p in self.papers([i for i in run.ids if i not in done])]
        if on_outcome:
            for outcome in report.outcomes:
                on_outcome(outcome)
        report.elapsed = time.monotonic() - run.started
        report.changes = Changes(modified=frozenset(o.paper_id for o in report.outcomes
                                                    if o.status == "completed"), label="complete metadata")
        return report

    def _store_resolutions(self, resolved: list[Resolution], *, dry_run: bool) -> list[PaperOutcome]:
        outcomes: list[PaperOutcome] = []
        now = self._now().isoformat()
        ids = [r.paper.id or 0 for r in resolved]
        conn = self.db.conn
        before = (self.papers(ids), bookkeeping.key_states(conn, ids), bookkeeping.sources(conn, ids),
                  bookkeeping.completion_rows(conn, ids))
        with self.db.write() if not dry_run else nullcontext(conn) as wconn:
            key_formula = citekey_rules.formula(wconn)
            current = {p.id: p for p in before[0]}
            for item in resolved:
                if item.paper.id in current:  # deleted while the services were asked: nothing to store
                    item.paper = current[item.paper.id]  # edits made meanwhile are kept, not overwritten
                    outcomes.append(self._store_one(wconn, item, now, key_formula, before, dry_run))
            if not dry_run:
                self._touch(wconn, [o.paper_id for o in outcomes if o.status == "completed"])
        if not dry_run and outcomes:
            label = f"complete metadata ({len(outcomes)} paper{'s' if len(outcomes) != 1 else ''})"
            self.undo_stack.push(label, lambda: self._restore_completion(*before))
            self._after_write()
        return outcomes

    def _store_one(self, conn: Any, item: Resolution, now: str, key_formula: str,
                   before: tuple[Any, ...], dry_run: bool) -> PaperOutcome:
        paper = item.paper
        pid = paper.id or 0
        previous = before[3].get(pid)
        attempts = (previous.attempts if previous else 0) + 1
        outcome = PaperOutcome(pid, paper.citekey, paper.title, "not found")
        verdict = item.verdict
        if verdict is None or verdict.action == Action.REJECT:
            outcome.status = "error" if item.errors else "not found"
            outcome.detail = "; ".join(dict.fromkeys(item.errors))[:300]
            row = bookkeeping.CompletionRow("error" if item.errors else "not_found", attempts, now,
                                            outcome.detail, "")
        elif verdict.action == Action.PROPOSE:
            values = {k: v for k, v in item.values.items() if k in EMPTY and getattr(paper, k) != v}
            sources = sorted({item.origin[k].label for k in values})
            outcome.status, outcome.fields = "proposed", sorted(values)
            outcome.detail = f"from {', '.join(sources)} ({verdict.describe()})"
            proposal = {"source": ", ".join(sources), "verdict": verdict.describe(), "similarity": verdict.similarity,
                        "values": {k: _json_value(v) for k, v in values.items()}}
            row = bookkeeping.CompletionRow("proposed", attempts, now, outcome.detail, json.dumps(proposal))
        else:
            updates = {k: v for k, v in item.values.items() if k in EMPTY and _fillable(paper, k, v)}
            updated = paper.model_copy(update=updates)
            by_source: dict[str, list[str]] = {}
            for name in updates:
                by_source.setdefault(item.origin[name].label, []).append(FIELD_WORDS[name])
            outcome.status, outcome.fields = "completed", sorted(updates)
            outcome.detail = "from " + ", ".join(by_source) if by_source else "(nothing new)"
            if item.errors:  # e.g. Semantic Scholar rate-limited: the published version was not checked
                outcome.detail += f" (not everything could be asked: {'; '.join(dict.fromkeys(item.errors))[:200]})"
            key_state = before[1].get(pid)
            if citekey_rules.is_provisional(paper, key_state, key_formula) and updates:
                new_key = citekey_rules.fresh_key(conn, updated, key_formula)
                if new_key != paper.citekey:
                    outcome.old_citekey, outcome.citekey = paper.citekey, new_key
                    updated = updated.model_copy(update={"citekey": new_key})
            if not dry_run and updates:
                store.update_paper(conn, Paper.model_validate(updated.model_dump()), self._now())
                bookkeeping.put_sources(conn, pid, [(src, _words(names), now) for src, names in by_source.items()],
                                        replace=False)
            row = bookkeeping.CompletionRow("done", attempts, now, outcome.detail, "")
        if not dry_run:
            bookkeeping.put_completion_rows(conn, {pid: row})
        return outcome

    def _restore_completion(self, papers: list[Paper], key_states: dict[int, bookkeeping.KeyState],
                            sources: dict[int, list[tuple[str, str, str]]],
                            rows: dict[int, bookkeeping.CompletionRow]) -> Changes:
        ids = [p.id or 0 for p in papers]
        with self.db.write() as conn:
            now = {p.id: p for p in store.get_papers(conn, ids)}
            for paper in papers:
                if paper.id in now:  # only what completion wrote goes back; later status or tag edits stay
                    restored = now[paper.id].model_copy(
                        update={name: getattr(paper, name) for name in (*EMPTY, "citekey")})
                    store.update_paper(conn, restored, self._now())
                    bookkeeping.put_sources(conn, paper.id or 0, sources.get(paper.id or 0, []), replace=True)
                    bookkeeping.put_key_states(conn, {paper.id or 0: key_states.get(paper.id or 0)})
                    bookkeeping.put_completion_rows(conn, {paper.id or 0: rows.get(paper.id or 0)})
            self._touch(conn, ids)
        self._after_write()
        return Changes(modified=frozenset(ids))

    # -- proposals ----------------------------------------------------------------------------

    def accept_proposal(self, ref: int | str, fields: Sequence[str] | None = None) -> Changes:
        """Apply a stored proposal (all of it, or only ``fields``); undoable like an edit."""
        pid = self.resolve(ref)
        row = self.completion_state(pid)
        if row is None or row.state != "proposed":
            raise InvalidInputError(f"paper {pid} has no proposal to accept")
        data = json.loads(row.proposal)
        chosen = {k: _from_json(k, v) for k, v in data["values"].items() if fields is None or k in fields}
        changes = self.update_paper(pid, **chosen) if chosen else Changes()
        with self.db.write() as conn:
            bookkeeping.put_sources(conn, pid, [(data["source"], _words([FIELD_WORDS[k] for k in chosen]),
                                                 self._now().isoformat())], replace=False)
            bookkeeping.put_completion_rows(conn, {pid: bookkeeping.CompletionRow(
                "done", row.attempts, row.last_attempt, "proposal accepted", "")})
        return changes

    def reject_proposal(self, ref: int | str) -> None:
        pid = self.resolve(ref)
        row = self.completion_state(pid)
        if row is None or row.state != "proposed":
            raise InvalidInputError(f"paper {pid} has no proposal to reject")
        with self.db.write() as conn:
            bookkeeping.put_completion_rows(conn, {pid: bookkeeping.CompletionRow(
                "not_found", row.attempts, row.last_attempt, "proposal rejected", "")})

    # -- citation keys ---------------------------------------------------------------------------

    def pin_citekeys(self, ids: Sequence[int], *, exported: bool = False) -> None:
        """Keys that left Lectern (exported, copied) never change silently again."""
        if self.readonly or not ids:
            return
        with self.db.write() as conn:
            bookkeeping.pin_keys(conn, ids, exported=exported)

    def citekey_is_provisional(self, ref: int | str) -> bool:
        paper = self.paper(ref)
        state = bookkeeping.key_states(self.db.conn, [paper.id or 0]).get(paper.id or 0)
        return citekey_rules.is_provisional(paper, state, self.citekey_formula)

    def regenerate_citekey(self, ref: int | str) -> tuple[Changes, str]:
        """A new key from the formula; the second value warns when the old key was exported."""
        self._require_writable()
        paper = self.paper(ref)
        pid = paper.id or 0
        state = bookkeeping.key_states(self.db.conn, [pid]).get(pid)
        new_key = citekey_rules.fresh_key(self.db.conn, paper, self.citekey_formula)
        warning = ""
        if state is not None and state.exported and new_key != paper.citekey:
            warning = (f"{paper.citekey} was exported or copied: documents citing it need "
                       f"\\cite{{{new_key}}} now")
        if new_key == paper.citekey:
            return Changes(), warning
        return self.update_paper(pid, citekey=new_key), warning


def _fillable(paper: Paper, name: str, value: object) -> bool:
    current = getattr(paper, name)
    if name == "entry_type":
        return current == "misc" and value != "misc"
    return current in (None, "", []) and value not in (None, "", [])


def _words(names: list[str]) -> str:
    """``["authors", "year", "venue"]`` -> ``authors, year and venue``."""
    unique = list(dict.fromkeys(names))
    return unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " and " + unique[-1]
