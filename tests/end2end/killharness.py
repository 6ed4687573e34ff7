"""Kill harness: random CLI edits, one SIGKILL per trial, then prove nothing acknowledged was lost.

A session copies a prepared library and runs random ``lectern`` commands in
subprocesses: imports that index in the foreground, tag, list, status and note
edits, backups and restores.  Each trial ends with one command killed by
SIGKILL: after a random delay over the command's whole lifetime, a moment
after it takes the library lock (opening, the SQLite transaction), or a moment
after it takes the Whoosh write lock (indexing, committing).  Then, in a random
order, ``lectern check`` must exit 0 and a fresh ``lectern import`` must
succeed (a killed writer's lock must not block it); finally the library is
read back and compared with a model of every command that returned 0.

Every observation is a set of facts (paper, tag, list order, status, note,
title searchable, note searchable).  The killed command either happened
completely or not at all, so the facts must equal the model with it or the
model without it.  A *loss* is a fact both models agree on that the library
no longer has.

Run on demand::

    python -m tests.end2end.killharness --trials 50 --seed 1
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.library import Library
from desktop_app.core.paths import DATABASE
from desktop_app.storage import backup as backups

Fact = tuple[str, ...]

STATUSES = ("unread", "reading", "read")
TAG_NAMES = ("ml", "to-read", "survey", "pruning", "vision", "theory")
LIST_NAMES = ("Thesis", "Reading group", "Later", "Chapter 2")
SYLLABLES = ("ka", "lo", "mi", "ver", "tan", "qui", "zor", "bex", "ru", "pha", "nel", "dor", "syl", "tri",
             "gam", "vo", "xen", "ul", "fra", "po")
WORDS = ("learning", "networks", "sparse", "attention", "graphs", "robust", "models", "language",
         "vision", "pruning", "scaling", "agents", "reasoning", "kernels", "memory")
BASE_PAPERS = 30
COMMAND_TIMEOUT = 120.0


# -- the model ------------------------------------------------------------------------------------


@dataclass
class GenPaper:
    key: str
    token: str
    title: str
    authors: list[tuple[str, str]]
    year: int
    abstract: str

    def bibtex(self) -> str:
        authors = " and ".join(f"{family}, {given}" for family, given in self.authors)
        return (f"@article{{{self.key},\n  title = {{{self.title}}},\n  author = {{{authors}}},\n"
                f"  journal = {{Journal of Kill Tests}},\n  year = {{{self.year}}},\n"
                f"  abstract = {{{self.abstract}}},\n}}\n\n")


@dataclass
class State:
    """What the library must hold: the effect of every acknowledged command."""

    papers: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    tags: set[tuple[str, str]] = field(default_factory=set)
    lists: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    note_tokens: dict[str, str] = field(default_factory=dict)

    def facts(self) -> set[Fact]:
        facts: set[Fact] = set()
        for key, title in self.papers.items():
            facts.add(("paper", key, title))
            facts.add(("status", key, self.status[key]))
            facts.add(("searchable", key))
        facts.update(("tag", key, tag) for key, tag in self.tags)
        facts.update(("list", name, *items) for name, items in self.lists.items())
        for key, body in self.notes.items():
            facts.add(("note", key, body))
            facts.add(("note-searchable", key))
        return facts


@dataclass
class Command:
    kind: str
    args: list[str]
    apply: Callable[[State], None]
    files: dict[Path, str] = field(default_factory=dict)
    acknowledged: Callable[[str, State], None] | None = None

    def write_files(self) -> None:
        for path, text in self.files.items():
            path.write_text(text, encoding="utf-8")


class Generator:
    """Random commands that are valid for the current model (so a non-zero exit is a failure)."""

    def __init__(self, rng: random.Random, workdir: Path, prefix: str) -> None:
        self.rng = rng
        self.workdir = workdir
        self.prefix = prefix
        self.counter = 0
        self.tokens: set[str] = set()
        self.imported_files: list[tuple[Path, list[GenPaper], list[str], str | None]] = []
        self.backups: list[tuple[Path, State]] = []

    def token(self) -> str:
        while True:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(4))
            if word not in self.tokens:
                self.tokens.add(word)
                return word

    def paper(self) -> GenPaper:
        self.counter += 1
        token = self.token()
        title = f"{token.capitalize()} {' '.join(self.rng.sample(WORDS, 3))}"
        authors = [(self.token().capitalize(), self.rng.choice(("Ada", "Bo", "Chen", "Dora", "Eli")))
                   for _ in range(self.rng.randint(1, 4))]
        abstract = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(10, 60)))
        return GenPaper(f"{self.prefix}{self.counter}", token, title, authors,
                        self.rng.randint(1990, 2025), abstract)

    def file_name(self, suffix: str) -> Path:
        self.counter += 1
        return self.workdir / f"{self.prefix}f{self.counter}{suffix}"

    # -- commands ------------------------------------------------------------------------------

    def import_command(self, count: int, *, tags: list[str] | None = None,
                       list_name: str | None = None) -> Command:
        papers = [self.paper() for _ in range(count)]
        path = self.file_name(".bib")
        tags = tags or []
        args = ["import", str(path)]
        for tag in tags:
            args += ["--tag", tag]
        if list_name:
            args += ["--list", list_name]
        self.imported_files.append((path, papers, tags, list_name))
        return Command("import", args, _apply_import(papers, tags, list_name),
                       {path: "".join(p.bibtex() for p in papers)})

    def next_command(self, state: State) -> Command:
        keys = sorted(state.papers)
        choices: list[tuple[str, float]] = [("import", 3.0), ("tag-add", 2.0), ("status", 2.0),
                                            ("note", 2.0), ("list-add", 1.5), ("reimport", 0.5)]
        if state.tags:
            choices.append(("tag-remove", 1.5))
        if len(state.lists) < len(LIST_NAMES):
            choices.append(("list-create", 1.0))
        if any(state.lists.values()):
            choices += [("list-move", 1.0), ("list-remove", 1.0)]
        choices.append(("backup", 0.5))
        if self.backups and self.backups[-1][0].exists():  # not pruned by newer backups
            choices.append(("restore", 0.5))
        kind = self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        rng = self.rng
        if kind == "backup":
            def remember(stdout: str, s: State) -> None:
                self.backups.append((Path(stdout.strip().removeprefix("backed up to ")), deepcopy(s)))

            return Command(kind, ["backup"], lambda s: None, acknowledged=remember)
        if kind == "restore":
            path, snapshot = self.backups[-1]
            return Command(kind, ["restore", str(path)], lambda s: s.__dict__.update(deepcopy(snapshot).__dict__))
        if kind == "import":
            count = rng.choice((1, 5, 20, 40, 120, 250))
            tags = rng.sample(TAG_NAMES, rng.randint(0, 2)) if rng.random() < 0.4 else []
            list_name = rng.choice(LIST_NAMES) if rng.random() < 0.3 else None
            return self.import_command(count, tags=tags, list_name=list_name)
        if kind == "reimport":
            path, papers, tags, list_name = rng.choice(self.imported_files)
            args = ["import", str(path)]
            for tag in tags:
                args += ["--tag", tag]
            if list_name:
                args += ["--list", list_name]
            return Command("reimport", args, _apply_import(papers, tags, list_name))
        if kind == "tag-add":
            tag = rng.choice(TAG_NAMES)
            chosen = rng.sample(keys, min(len(keys), rng.randint(1, 6)))
            return Command(kind, ["tag", "add", tag, *chosen],
                           lambda s: s.tags.update((k, tag) for k in chosen))
        if kind == "tag-remove":
            tag = rng.choice(sorted({t for _, t in state.tags}))
            carriers = sorted(k for k, t in state.tags if t == tag)
            chosen = rng.sample(carriers, min(len(carriers), rng.randint(1, 4)))
            return Command(kind, ["tag", "remove", tag, *chosen],
                           lambda s: s.tags.difference_update((k, tag) for k in chosen))
        if kind == "status":
            key = rng.choice(keys)
            status = rng.choice(STATUSES)
            return Command(kind, ["status", key, status], lambda s: s.status.__setitem__(key, status))
        if kind == "note":
            key = rng.choice(keys)
            token = self.token()
            body = f"# Reading notes\n\nThe {token} idea; see https://arxiv.org/abs/1706.03762 and *more*.\n"
            path = self.file_name(".md")

            def apply_note(s: State) -> None:
                s.notes[key] = body
                s.note_tokens[key] = token

            return Command(kind, ["note", "set", key, "--file", str(path)], apply_note, {path: body})
        if kind == "list-create":
            name = rng.choice([n for n in LIST_NAMES if n not in state.lists])
            return Command(kind, ["list", "create", name], lambda s: s.lists.__setitem__(name, []))
        if kind == "list-add":
            if not state.lists:
                name = rng.choice(LIST_NAMES)
                return Command("list-create", ["list", "create", name],
                               lambda s: s.lists.__setitem__(name, []))
            name = rng.choice(sorted(state.lists))
            chosen = rng.sample(keys, min(len(keys), rng.randint(1, 5)))
            return Command(kind, ["list", "add", name, *chosen], lambda s: _list_append(s, name, chosen))
        name = rng.choice(sorted(n for n, items in state.lists.items() if items))
        if kind == "list-move":
            key = rng.choice(state.lists[name])
            position = rng.randint(1, len(state.lists[name]) + 1)
            return Command(kind, ["list", "move", name, key, str(position)],
                           lambda s: _list_move(s, name, key, position))
        chosen = rng.sample(state.lists[name], min(len(state.lists[name]), rng.randint(1, 3)))
        return Command(kind, ["list", "remove", name, *chosen],
                       lambda s: s.lists.__setitem__(name, [k for k in s.lists[name] if k not in chosen]))


def _apply_import(papers: list[GenPaper], tags: list[str], list_name: str | None) -> Callable[[State], None]:
    def apply(state: State) -> None:
        added = [p.key for p in papers if p.key not in state.papers]
        merged = [p.key for p in papers if p.key in state.papers]
        for paper in papers:
            if paper.key not in state.papers:
                state.papers[paper.key] = paper.title
                state.tokens[paper.key] = paper.token
                state.status[paper.key] = "unread"
        touched = added + merged
        state.tags.update((key, tag) for key in touched for tag in tags)
        if list_name:
            _list_append(state, list_name, touched)
    return apply


def _list_append(state: State, name: str, keys: list[str]) -> None:
    items = state.lists.setdefault(name, [])
    items.extend(k for k in dict.fromkeys(keys) if k not in items)


def _list_move(state: State, name: str, key: str, position: int) -> None:
    items = [k for k in state.lists[name] if k != key]
    items.insert(max(0, min(position - 1, len(items))), key)
    state.lists[name] = items


# -- running commands -----------------------------------------------------------------------------


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    killed: bool = False
    phase: str = ""


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LECTERN_LIBRARY"}
    env["XDG_STATE_HOME"] = str(workdir / "state")
    env["XDG_CACHE_HOME"] = str(workdir / "cache")
    return env


def run_cli(library: Path, args: list[str], workdir: Path) -> Outcome:
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "desktop_app", "--library", str(library), *args],
                            capture_output=True, text=True, env=_env(workdir), timeout=COMMAND_TIMEOUT,
                            check=False)
    return Outcome(result.returncode, result.stdout, result.stderr, time.monotonic() - start)


def _held_inodes(pid: int) -> set[int]:
    """Inodes of the files ``pid`` holds a lock on (flock and POSIX), from /proc/locks."""
    held: set[int] = set()
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return held
    for line in lines:
        parts = line.split()
        if "->" in parts:
            continue
        if len(parts) >= 6 and parts[4] == str(pid):
            held.add(int(parts[5].rsplit(":", 1)[1]))
    return held


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _phase(pid: int, library: Path) -> str:
    """Where a running command is: inside a Whoosh writer, holding the library, or neither."""
    held = _held_inodes(pid)
    for sub in ("papers", "notes"):
        inode = _inode(library / "index" / sub / "MAIN_WRITELOCK")
        if inode is not None and inode in held:
            return "whoosh-writer"
    inode = _inode(library / "lectern.lock")
    if inode is not None and inode in held:
        return "library-open"
    return "starting"


def run_killed(library: Path, args: list[str], workdir: Path, *, target: str, delay: float,
               rng: random.Random) -> Outcome:
    """Run a command and SIGKILL it.

    ``target`` says when: ``delay`` (``delay`` s after the start), ``library`` (up to ``delay`` s after
    it takes the library lock: opening, the SQLite transaction, the index) or ``whoosh`` (up to
    ``delay`` s after it takes the Whoosh write lock).
    """
    start = time.monotonic()
    seen: set[str] = set()
    wanted = {"library": ("library-open", "whoosh-writer"), "whoosh": ("whoosh-writer",)}.get(target, ())
    with subprocess.Popen([sys.executable, "-m", "desktop_app", "--library", str(library), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=_env(workdir)) as proc:
        deadline = start + (delay if target == "delay" else COMMAND_TIMEOUT)
        while proc.poll() is None and time.monotonic() < deadline:
            phase = _phase(proc.pid, library)
            seen.add(phase)
            if phase in wanted:
                time.sleep(rng.uniform(0.0, delay))
                break
            time.sleep(0.002)
        phase = ""
        if proc.poll() is None:
            phase = _phase(proc.pid, library)
            os.kill(proc.pid, signal.SIGKILL)
            if phase == "starting" and seen - {"starting"}:
                phase = "exiting"
        stdout, stderr = proc.communicate(timeout=COMMAND_TIMEOUT)
        return Outcome(proc.returncode, stdout, stderr, time.monotonic() - start,
                       killed=proc.returncode == -signal.SIGKILL, phase=phase)


# -- observing the library ------------------------------------------------------------------------


def observe(library: Path) -> tuple[set[Fact], list[str]]:
    """The library's facts, and consistency problems (a paper or note in SQLite that search misses).

    Call it after a ``lectern search``, which catches the index up as a user's search does.
    """
    problems: list[str] = []
    facts: set[Fact] = set()
    lib = Library.open(library)
    try:
        if lib.rebuild_reason:
            problems.append(f"the index needed a rebuild after check: {lib.rebuild_reason}")
        waiting = lib.pending_index() + lib.pending_notes()
        if waiting:
            problems.append(f"{waiting} papers or notes still wait for the index after a search")
        pid_key: dict[int, str] = {}
        for batch in lib.iter_papers():
            for paper in batch:
                assert paper.id is not None
                pid_key[paper.id] = paper.citekey
                facts.add(("paper", paper.citekey, paper.title))
                facts.add(("status", paper.citekey, paper.status.value))
                facts.update(("tag", paper.citekey, tag) for tag in paper.tags)
                token = paper.title.split()[0].lower() if paper.title else ""
                if token and paper.id in lib.search(f"title:{token}").ids:
                    facts.add(("searchable", paper.citekey))
                else:
                    problems.append(f"{paper.citekey} is stored but a title search misses it")
        for reading_list in lib.reading_lists():
            facts.add(("list", reading_list.name, *(pid_key[i] for i in lib.list_ids(reading_list.name))))
        counts = {t.name: t.count for t in lib.tags()}
        pairs: dict[str, int] = {}
        for fact in facts:
            if fact[0] == "tag":
                pairs[fact[2]] = pairs.get(fact[2], 0) + 1
        if counts != pairs:
            problems.append(f"tag counts {counts} disagree with the papers' tags {pairs}")
        for pid, key in pid_key.items():
            body = lib.note(pid)
            if not body:
                continue
            facts.add(("note", key, body))
            token = _note_token(body)
            if token and pid in lib.search(f"note:{token}").ids:
                facts.add(("note-searchable", key))
            else:
                problems.append(f"the note of {key} is stored but a note search misses it")
        for copy in lib.backups():
            broken = backups.verify_database(copy)
            if broken:
                problems.append(f"the backup {copy.name} is broken: {broken}")
    finally:
        lib.close()
    return facts, problems


def _note_token(body: str) -> str:
    words = body.split()
    return words[words.index("The") + 1] if "The" in words else ""


# -- trials -----------------------------------------------------------------------------------------


@dataclass
class TrialResult:
    number: int
    command: str
    target: str
    phase: str
    outcome: str
    losses: int
    unexpected: int
    failures: list[str]
    pending_after_kill: int

    def line(self) -> str:
        status = "ok" if not self.failures and not self.losses else "FAIL"
        return (f"trial {self.number:>3}: killed {self.command:<12} aim={self.target:<8} "
                f"phase={self.phase or 'exited':<14} "
                f"outcome={self.outcome:<11} index-pending={self.pending_after_kill:<4} "
                f"losses={self.losses} unexpected={self.unexpected} {status}")


@dataclass
class Summary:
    trials: int = 0
    commands: int = 0
    acknowledged: int = 0
    losses: int = 0
    unexpected: int = 0
    results: list[TrialResult] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    def acknowledge(self, kind: str) -> None:
        self.acknowledged += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    @property
    def failures(self) -> list[str]:
        return [f"trial {r.number}: {f}" for r in self.results for f in r.failures]

    def count(self, attribute: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            value = getattr(result, attribute) or "exited"
            counts[value] = counts.get(value, 0) + 1
        return counts

    def report(self) -> str:
        lines = [r.line() for r in self.results]
        lines.append(f"kill harness: {self.trials} trials, {self.commands} commands "
                     f"({self.acknowledged} writes acknowledged), losses={self.losses}, "
                     f"unexpected facts={self.unexpected}, failures={len(self.failures)}")
        lines.append(f"  acknowledged writes by kind: {dict(sorted(self.kinds.items()))}")
        lines.append(f"  killed commands by kind: {self.count('command')}")
        lines.append(f"  kill phases: {self.count('phase')}")
        lines.append(f"  killed command outcome: {self.count('outcome')}")
        lines.append(f"  trials with index work left by the kill: "
                     f"{sum(1 for r in self.results if r.pending_after_kill)}")
        lines.extend(f"  {failure}" for failure in self.failures)
        return "\n".join(lines)


class Harness:
    def __init__(self, workdir: Path, seed: int, log: Callable[[str], None] = print) -> None:
        self.workdir = workdir
        self.seed = seed
        self.log = log
        self.durations: dict[str, list[float]] = {}
        self.base = workdir / "base-library"
        self.base_state = State()
        self.base_generator: Generator | None = None

    def build_base(self) -> None:
        """The fixed starting library: papers, tags, two lists, a status and a note (built once)."""
        files = self.workdir / "base-files"
        files.mkdir(parents=True, exist_ok=True)
        generator = Generator(random.Random(self.seed), files, "b")
        state = State()
        commands = [generator.import_command(BASE_PAPERS, tags=["ml"], list_name="Thesis"),
                    generator.import_command(5)]
        keys = [p.key for _, papers, _, _ in generator.imported_files for p in papers]
        commands += [
            Command("status", ["status", keys[0], "read"], lambda s: s.status.__setitem__(keys[0], "read")),
        ]
        for command in commands:
            command.write_files()
            result = run_cli(self.base, command.args, self.workdir)
            if result.returncode != 0:
                raise RuntimeError(f"building the base library failed: {command.args}\n{result.stderr}")
            command.apply(state)
        self.base_state = state
        self.base_generator = generator

    def session(self, number: int, trials: int, first_trial: int, summary: Summary) -> None:
        rng = random.Random(f"{self.seed}-{number}")
        directory = self.workdir / f"session-{number}"
        files = directory / "files"
        files.mkdir(parents=True)
        library = directory / "library"
        shutil.copytree(self.base, library)
        state = deepcopy(self.base_state)
        generator = Generator(rng, files, f"s{number}p")
        assert self.base_generator is not None
        generator.imported_files = list(self.base_generator.imported_files)
        generator.tokens = set(self.base_generator.tokens)
        for trial in range(first_trial, first_trial + trials):
            state = self.trial(trial, rng, generator, library, state, summary)

    def _delay(self, kind: str, rng: random.Random) -> float:
        seen = self.durations.get(kind)
        typical = sorted(seen)[len(seen) // 2] if seen else 1.5
        return rng.uniform(0.0, typical * 1.1)

    def trial(self, number: int, rng: random.Random, generator: Generator, library: Path,
              state: State, summary: Summary) -> State:
        failures: list[str] = []
        for _ in range(rng.randint(1, 4)):
            command = generator.next_command(state)
            command.write_files()
            result = run_cli(library, command.args, self.workdir)
            summary.commands += 1
            if result.returncode != 0:
                failures.append(f"lectern {' '.join(command.args)} exited {result.returncode}: "
                                f"{result.stderr.strip()[-300:]}")
                continue
            summary.acknowledge(command.kind)
            self.durations.setdefault(command.kind, []).append(result.seconds)
            command.apply(state)
            if command.acknowledged:
                command.acknowledged(result.stdout, state)

        target = rng.choices(("whoosh", "library", "delay"), (0.3, 0.3, 0.4))[0]
        if target == "whoosh":
            victim = generator.import_command(rng.choice((250, 400)))
            delay = 0.08
        else:
            victim = generator.next_command(state)
            delay = 0.05 if target == "library" else self._delay(victim.kind, rng)
        victim.write_files()
        killed = run_killed(library, victim.args, self.workdir, target=target, delay=delay, rng=rng)
        summary.commands += 1
        with_victim = deepcopy(state)
        victim.apply(with_victim)
        candidates = [state, with_victim]
        if not killed.killed:
            if killed.returncode != 0:
                failures.append(f"lectern {' '.join(victim.args)} exited {killed.returncode} "
                                f"before the kill: {killed.stderr.strip()[-300:]}")
            else:
                summary.acknowledge(victim.kind)
                candidates = [with_victim]
                if victim.acknowledged:
                    victim.acknowledged(killed.stdout, with_victim)

        pending = queued_index_work(library)
        follow_up = generator.import_command(rng.choice((1, 5)))
        follow_up.write_files()
        steps = ["check", "import"] if rng.random() < 0.5 else ["import", "check"]
        for step in steps:
            if step == "check":
                checked = run_cli(library, ["check"], self.workdir)
                summary.commands += 1
                if checked.returncode != 0:
                    failures.append(f"lectern check exited {checked.returncode}: "
                                    f"{(checked.stdout + checked.stderr).strip()[-400:]}")
            else:
                imported = run_cli(library, follow_up.args, self.workdir)
                summary.commands += 1
                if imported.returncode != 0 or "LockError" in imported.stderr:
                    failures.append(f"the import after the kill failed ({imported.returncode}): "
                                    f"{imported.stderr.strip()[-400:]}")
                else:
                    summary.acknowledge("import")
                    for candidate in candidates:
                        follow_up.apply(candidate)

        spot = rng.choice(sorted(candidates[0].papers))
        searched = run_cli(library, ["search", f"title:{candidates[0].tokens[spot]}", "--json"], self.workdir)
        summary.commands += 1
        if searched.returncode != 0 or f'"citekey": "{spot}"' not in searched.stdout:
            failures.append(f"lectern search did not find {spot}: {searched.stderr.strip()[-300:]}")
        facts, problems = observe(library)
        failures.extend(problems)
        expected = [c.facts() for c in candidates]
        agreed = set.intersection(*expected)
        union = set.union(*expected)
        lost = sorted(agreed - facts)
        extra = sorted(facts - union)
        if lost:
            failures.append(f"lost {len(lost)} acknowledged facts, e.g. {lost[:5]}")
        if extra:
            failures.append(f"{len(extra)} facts no command made, e.g. {extra[:5]}")
        following = candidates[0] if facts == expected[0] else candidates[-1]
        if not killed.killed:
            outcome = "finished"
        elif expected[0] == expected[-1]:
            outcome = "no-effect"
        elif facts == expected[-1]:
            outcome = "applied"
        elif facts == expected[0]:
            outcome = "not-applied"
        else:
            outcome = "partial"
            if not lost and not extra:
                failures.append("the killed command was applied only in part")
        trial_result = TrialResult(number, victim.kind, target, killed.phase, outcome, len(lost), len(extra),
                                   failures, pending)
        summary.trials += 1
        summary.losses += len(lost)
        summary.unexpected += len(extra)
        summary.results.append(trial_result)
        self.log(trial_result.line())
        return following


def queued_index_work(library: Path) -> int:
    """Papers and notes SQLite has queued for the index (work a kill left behind)."""
    conn = sqlite3.connect(f"{(library / DATABASE).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return sum(int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                   for table in ("index_queue", "note_queue"))
    finally:
        conn.close()


@contextmanager
def _workdir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="lectern-kill-") as tmp:
        yield Path(tmp)


def run_harness(trials: int, seed: int, *, per_session: int = 5, workdir: Path | None = None,
                log: Callable[[str], None] = print) -> Summary:
    """Run ``trials`` kill trials (``per_session`` on each copy of the base library)."""
    summary = Summary()
    with _workdir(workdir) as directory:
        harness = Harness(directory, seed, log)
        harness.build_base()
        session, done = 0, 0
        while done < trials:
            count = min(per_session, trials - done)
            harness.session(session, count, done + 1, summary)
            session += 1
            done += count
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-session", type=int, default=5, help="trials on one copy of the base library")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    summary = run_harness(args.trials, args.seed, per_session=args.per_session, workdir=args.keep,
                          log=lambda line: print(line, flush=True))
    print(summary.report().split("\n", len(summary.results))[-1])
    return 0 if summary.losses == 0 and not summary.failures and summary.unexpected == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
