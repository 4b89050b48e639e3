"""The thread's orders as properties over random trees with random scores: the walked tree
keeps every parent before its children, and the siblings at every level in the chosen order."""

from hypothesis import given, settings
from hypothesis import strategies as st

from forum.comments.tree import nest, sort_siblings, walk
from tests.comments.test_tree import assign_paths, random_tree


def _check(nodes, parent_of, key, reverse):
    seen: set[int] = set()
    for node in walk(nodes):
        parent = parent_of[node.item]
        assert parent is None or parent in seen, "a parent comes before its children"
        seen.add(node.item)
    levels = [nodes] + [n.children for n in walk(nodes)]
    for siblings in levels:
        keys = [key(n.item) for n in siblings]
        assert keys == sorted(keys, reverse=reverse)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=-3, max_value=400), min_size=1, max_size=120),
    st.lists(st.floats(min_value=0, max_value=1), min_size=120, max_size=120),
)
def test_best_and_newest_keep_parents_first_and_siblings_in_order(choices, scores):
    rows = random_tree(choices)
    paths = assign_paths(rows)
    parent_of = dict(rows)
    order = sorted(paths, key=paths.get)

    def nested():
        return nest(order, path_of=paths.get, shown=lambda i: True, placeholder=lambda i: False)

    def best(i):
        return (scores[i], paths[i])

    for key in (best, paths.get):
        sorted_nodes = sort_siblings(nested(), key, reverse=True)
        _check(sorted_nodes, parent_of, key, reverse=True)
        assert sorted(n.item for n in walk(sorted_nodes)) == sorted(paths)
    oldest = sort_siblings(nested(), paths.get)
    assert [n.item for n in walk(oldest)] == order  # oldest first is the path order itself
