"""The one graph walk: topological order, determinism, depth."""

from autograd import Value, topological_order


def test_parents_come_before_children_and_root_is_last():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    a = x * y
    b = a + x
    c = b * a
    order = topological_order(c)
    assert order[-1] is c
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert position[id(p)] < position[id(node)]
    assert len(order) == len({id(n) for n in order}) == 5


def test_order_is_deterministic_operand_order():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    order = topological_order(x + y)
    assert [n.label for n in order[:2]] == ["x", "y"]


def test_deep_chain_without_recursion():
    v = Value(0.0)
    for _ in range(200_000):
        v = v + 1.0
    assert len(topological_order(v)) == 400_001


def test_walk_accepts_any_parents_function():
    graph = {"c": ["a", "b"], "b": ["a"], "a": []}
    assert topological_order("c", lambda n: graph[n]) == ["a", "b", "c"]


def test_bounded_order_is_the_order_up_to_the_limit_and_none_past_it():
    from autograd.graph import bounded_order

    x = Value(1.0)
    y = (x * 2 + x).exp()  # x, 2, x*2, x*2+x, exp: 5 nodes
    assert bounded_order(y, 5) == topological_order(y)
    assert bounded_order(y, 100) == topological_order(y)
    assert bounded_order(y, 4) is None
    assert bounded_order(x, 1) == [x]


def test_bounded_order_stops_early_on_a_huge_graph(monkeypatch):
    from autograd.graph import bounded_order

    y = Value(0.0)
    for _ in range(100_000):
        y = y + 1.0
    reads = []
    parents = Value.parents
    monkeypatch.setattr(Value, "parents", property(lambda v: reads.append(v) or parents.fget(v)))
    assert bounded_order(y, 50) is None
    assert len(reads) == 50  # and the walk ended at the node past the limit
