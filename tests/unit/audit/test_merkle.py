"""Merkle trees as Certificate Transparency hashes them (RFC 9162 §2.1): roots, inclusion paths
and the incremental tree agree with the recursive definition for every size."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from audit import merkle


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, straight from its recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def test_leaves_and_nodes_are_domain_separated() -> None:
    """RFC 9162 §2.1.1: a leaf is SHA-256(0x00 ‖ d), a node SHA-256(0x01 ‖ l ‖ r)."""
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    # the RFC 6962 test vector: the empty tree
    assert merkle.root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_every_size_up_to_70_gives_the_reference_root_and_valid_paths() -> None:
    for n in range(71):
        leaves = [merkle.leaf_hash(bytes([i])) for i in range(n)]
        expected = reference_root(leaves)
        assert merkle.root(leaves) == expected
        for i in range(n):
            path = merkle.inclusion_path(leaves, i)
            assert merkle.root_from_path(leaves[i], i, n, path) == expected
            if path:
                bent = [bytes(32), *path[1:]]
                assert merkle.root_from_path(leaves[i], i, n, bent) != expected
            assert merkle.root_from_path(leaves[i], n, n, path) is None


@given(
    st.lists(st.binary(min_size=1, max_size=4), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 39), st.binary(max_size=4)), max_size=20),
)
def test_the_incremental_tree_matches_a_tree_built_afresh(
    first: list[bytes], changes: list[tuple[int, bytes]]
) -> None:
    leaves = [merkle.leaf_hash(d) for d in first]
    tree = merkle.Tree()
    for i, leaf in enumerate(leaves):
        tree.set(i, leaf)
    for index, data in changes:
        index = min(index, len(leaves))  # a change, or a new leaf at the right
        leaf = merkle.leaf_hash(data)
        if index == len(leaves):
            leaves.append(leaf)
        else:
            leaves[index] = leaf
        tree.set(index, leaf)
        assert tree.root() == reference_root(leaves)
    assert tree.leaves() == leaves
