"""Pure tree arithmetic: sortable path segments, and nesting a flat, ordered list of rows.

A segment is a "vancode": one base-36 digit giving the number of digits that follow, then the
number in base 36. Vancodes sort as their numbers do, none is a prefix of another, and each
segment ends with ".", which sorts before every digit: so a parent's path is a prefix of its
children's and sorts first, and a reply comes before its parent's next sibling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
SEPARATOR = "."

T = TypeVar("T")


def to_base36(number: int) -> str:
    if number < 0:
        raise ValueError("negative")
    if number == 0:
        return "0"
    out = []
    while number:
        number, rest = divmod(number, 36)
        out.append(DIGITS[rest])
    return "".join(reversed(out))


def vancode(number: int) -> str:
    digits = to_base36(number)
    if len(digits) > 36:
        raise ValueError("number too large for a path segment")
    return DIGITS[len(digits) - 1] + digits


def from_vancode(code: str) -> int:
    return int(code[1:], 36)


def segment(number: int) -> str:
    """The path segment of the ``number``-th child (1-based)."""
    return vancode(number) + SEPARATOR


def child_path(parent_path: str, number: int) -> str:
    return parent_path + segment(number)


def segments(path: str) -> list[str]:
    return [part for part in path.split(SEPARATOR) if part]


def ancestor_paths(path: str) -> list[str]:
    """The paths of every ancestor, root first (not including ``path`` itself)."""
    parts = segments(path)
    return [SEPARATOR.join(parts[:n]) + SEPARATOR for n in range(1, len(parts))]


def last_number(path: str) -> int:
    return from_vancode(segments(path)[-1])


@dataclass
class Node(Generic[T]):
    """One comment in the nested tree, with its children in display order."""

    item: T
    depth: int
    children: list[Node[T]] = field(default_factory=list)


def _parent_path(path: str) -> str | None:
    """The parent's path: everything up to the separator before the last segment."""
    cut = path.rfind(SEPARATOR, 0, len(path) - 1)
    return path[: cut + 1] if cut >= 0 else None


def nest(
    rows: Sequence[T],
    *,
    path_of: Callable[[T], str],
    shown: Callable[[T], bool],
    placeholder: Callable[[T], bool],
) -> list[Node[T]]:
    """Nest rows (already in path order) into trees, without recursion (threads may be deep).

    A row that is not ``shown`` is dropped with its whole subtree, unless ``placeholder`` says it
    may stand in ("[deleted]") for descendants that are shown; a placeholder with nothing shown
    below it is dropped too. A row whose parent is not among ``rows`` starts a tree of its own
    (a page's roots, or a subtree loaded on its own).
    """
    candidates: list[tuple[T, str, str | None, bool]] = []
    dropped_prefix: str | None = None
    all_shown = True
    for row in rows:
        path = path_of(row)
        if dropped_prefix is not None and path.startswith(dropped_prefix):
            continue
        dropped_prefix = None
        is_shown = shown(row)
        if not is_shown:
            all_shown = False
            if not placeholder(row):
                dropped_prefix = path
                continue
        candidates.append((row, path, _parent_path(path), is_shown))

    needed: set[str | None] = set()
    if not all_shown:  # only placeholders need to know whether something shown is below them
        for _, path, above, is_shown in reversed(candidates):
            if is_shown or path in needed:
                needed.add(above)

    by_path: dict[str, Node[T]] = {}
    roots: list[Node[T]] = []
    for row, path, parent_path, is_shown in candidates:
        if not (is_shown or path in needed):
            continue
        parent = by_path.get(parent_path) if parent_path else None
        if parent is None:
            node = Node(row, 0)
            roots.append(node)
        else:
            node = Node(row, parent.depth + 1)
            parent.children.append(node)
        by_path[path] = node
    return roots


def sort_siblings(
    nodes: list[Node[T]], key: Callable[[T], Any], *, reverse: bool = False
) -> list[Node[T]]:
    """The trees with the siblings at every level (the roots too) in ``key`` order, stable,
    without recursion; parents stay above their children."""
    roots = sorted(nodes, key=lambda n: key(n.item), reverse=reverse)
    stack = list(roots)
    while stack:
        node = stack.pop()
        if len(node.children) > 1:
            node.children.sort(key=lambda n: key(n.item), reverse=reverse)
        stack.extend(node.children)
    return roots


def walk(nodes: Iterable[Node[T]]) -> Iterable[Node[T]]:
    """Every node in display order (iteratively: threads may be deep)."""
    stack = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))
