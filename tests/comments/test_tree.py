"""The tree arithmetic, as properties over random trees."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from forum.comments.tree import ancestor_paths, child_path, nest, segment, vancode, walk


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_vancodes_sort_as_their_numbers(a, b):
    assert (vancode(a) < vancode(b)) == (a < b)


def random_tree(draw_parents: list[int]) -> list[tuple[int, int | None]]:
    """(id, parent id) pairs in creation order: comment n replies to draw_parents[n] (or none)."""
    rows: list[tuple[int, int | None]] = []
    for n, choice in enumerate(draw_parents):
        parent = None if choice < 0 or not rows else rows[choice % len(rows)][0]
        rows.append((n, parent))
    return rows


def assign_paths(rows):
    paths, children = {}, {}
    for ident, parent in rows:
        prefix = paths[parent] if parent is not None else ""
        children[parent] = children.get(parent, 0) + 1
        paths[ident] = child_path(prefix, children[parent])
    return paths


def conversation_order(rows):
    """Depth-first, children oldest first: the order a thread is read in."""
    kids = {}
    for ident, parent in rows:
        kids.setdefault(parent, []).append(ident)
    out, stack = [], list(reversed(kids.get(None, [])))
    while stack:
        ident = stack.pop()
        out.append(ident)
        stack.extend(reversed(kids.get(ident, [])))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=400), min_size=1, max_size=120))
def test_sorting_by_path_is_conversation_order(choices):
    rows = random_tree(choices)
    paths = assign_paths(rows)
    assert sorted(paths, key=paths.get) == conversation_order(rows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=400), min_size=1, max_size=120))
def test_a_subtree_is_exactly_the_rows_with_its_prefix(choices):
    rows = random_tree(choices)
    paths = assign_paths(rows)
    parent_of = dict(rows)
    target = random.Random(len(rows)).choice(list(paths))
    in_subtree = {i for i in paths if paths[i].startswith(paths[target])}

    def descends(i):
        while i is not None:
            if i == target:
                return True
            i = parent_of[i]
        return False

    assert in_subtree == {i for i in paths if descends(i)}
    expected_ancestors = []
    p = parent_of[target]
    while p is not None:
        expected_ancestors.insert(0, paths[p])
        p = parent_of[p]
    assert ancestor_paths(paths[target]) == expected_ancestors


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=-3, max_value=400), min_size=1, max_size=80),
    st.sets(st.integers(min_value=0, max_value=80)),
    st.sets(st.integers(min_value=0, max_value=80)),
)
def test_nesting_keeps_shown_rows_in_order_and_placeholders_only_above_them(choices, hidden, gone):
    rows = random_tree(choices)
    paths = assign_paths(rows)
    order = sorted(paths, key=paths.get)
    parent_of = dict(rows)
    # hidden: placeholder-able (e.g. deleted); gone: dropped with their subtree (e.g. pending)
    nodes = nest(
        order,
        path_of=paths.get,
        shown=lambda i: i not in hidden and i not in gone,
        placeholder=lambda i: i in hidden and i not in gone,
    )
    flat = [n.item for n in walk(nodes)]
    assert flat == [i for i in order if i in flat]

    def under_gone(i):
        while i is not None:
            if i in gone:
                return True
            i = parent_of[i]
        return False

    visible = [i for i in order if i not in hidden and not under_gone(i)]
    assert [i for i in flat if i not in hidden] == visible
    for node in walk(nodes):
        if node.item in hidden:
            assert node.children, "a placeholder stands only above something shown"
        for child in node.children:
            assert parent_of[child.item] == node.item
            assert child.depth == node.depth + 1


def test_a_thousand_levels_deep_thread_nests_without_recursion():
    rows = [(n, n - 1 if n else None) for n in range(3000)]
    paths = assign_paths(rows)
    nodes = nest(
        list(range(3000)), path_of=paths.get, shown=lambda _: True, placeholder=lambda _: False
    )
    assert [n.depth for n in walk(nodes)][-1] == 2999
    assert segment(1) == "01."
