"""``Changes``: what a write touched, so views refresh exactly what they show."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    added: frozenset[int] = frozenset()
    modified: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    notes: frozenset[int] = frozenset()
    tags: bool = False
    lists: bool = False
    searches: bool = False
    index: bool = False
    label: str = field(default="", compare=False)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            added=self.added | other.added,
            modified=(self.modified | other.modified) - (self.removed | other.removed),
            removed=self.removed | other.removed,
            notes=self.notes | other.notes,
            tags=self.tags or other.tags,
            lists=self.lists or other.lists,
            searches=self.searches or other.searches,
            index=self.index or other.index,
            label=self.label or other.label,
        )

    @property
    def papers(self) -> frozenset[int]:
        """Every paper whose row a view may need to redraw or drop."""
        return self.added | self.modified | self.removed | self.notes

    def __bool__(self) -> bool:
        return bool(self.papers or self.tags or self.lists or self.searches or self.index)
