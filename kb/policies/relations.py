"""Policy relations as a graph: 取代 (supersedes) and 修订 (amends) both point from newer to older.

So a chain of them that comes back to where it started (A → B → C → A, in any mix of the two) says
each policy is older than itself, and a policy that both supersedes and amends another says two
different things about it. `relation_cycles` finds both, without recursion, in time linear in the
edges, whatever the length of the chain.
"""

TIME_ORDERED_RELATIONS = ("supersedes", "amends")


def relation_cycles(edges):
    """Cycles in a directed graph given as {node: [successor, ...]}: one list [a, b, …, a] per cycle.

    Each strongly connected component with a cycle gives one (the shortest from its first node),
    so a tangle of many loops is reported once, not exponentially often.
    """
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for root in list(edges):
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(edges.get(successor, ()))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    components.append(set(component))
    return [shortest_cycle(edges, min(component, key=index.get), component) for component in components]


def shortest_cycle(edges, start, within):
    """The shortest path start → … → start inside one strongly connected component (BFS)."""
    previous, frontier = {}, [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in edges.get(node, ()):
                if successor not in within:
                    continue
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    return [start, start]


def existing_relations(exclude_pks=()):
    """{policy pk: [(relation, target pk), ...]} of the site's policies, in two queries."""
    from .models import PolicyPage

    found = {}
    for relation in TIME_ORDERED_RELATIONS:
        through = getattr(PolicyPage, relation).through
        pairs = through.objects.exclude(from_policypage_id__in=exclude_pks).values_list(
            "from_policypage_id", "to_policypage_id"
        )
        for source, target in pairs:
            found.setdefault(source, []).append((relation, target))
    return found


def titles_of(pks):
    from .models import PolicyPage

    return dict(PolicyPage.objects.filter(pk__in=pks).values_list("pk", "title"))
