"""Merkle trees over chain heads, hashed as Certificate Transparency does (RFC 9162 §2.1).

A leaf is hashed as SHA-256(0x00 ‖ leaf bytes) and an inner node as
SHA-256(0x01 ‖ left ‖ right), so that no leaf can pose as a node; a tree of n
leaves splits at the largest power of two below n. An inclusion proof is the
list of sibling hashes from a leaf up to the root, verified with the
algorithm of RFC 9162 §2.1.3.2: a third party needs ``hashlib`` alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of these leaf hashes (the empty tree: SHA-256 of nothing)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    # bottom-up over complete subtrees gives the same tree as the recursive definition:
    # pair neighbours, carrying an odd last node up unchanged
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` (RFC 9162 §2.1.3.1), nearest sibling first."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    # descend from the root, then reverse: the path lists the lowest sibling first
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(root(leaves[lo + k : hi]))
            hi = lo + k
        else:
            path.append(root(leaves[lo : lo + k]))
            lo = lo + k
    return path[::-1]


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """Recompute the root from a leaf hash and its audit path (RFC 9162 §2.1.3.2); None when
    the path cannot belong to a tree of ``size`` leaves."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


class Tree:
    """A Merkle tree whose leaves may change and grow at the right, with its root kept up to
    date in O(log n) per change (each level pairs neighbours and carries an odd last node)."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [list(leaves)]
        self._rebuild()

    def _rebuild(self) -> None:
        levels = self._levels[:1]
        while len(levels[-1]) > 1:
            below = levels[-1]
            above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            if len(below) % 2:
                above.append(below[-1])
            levels.append(above)
        self._levels = levels

    def __len__(self) -> int:
        return len(self._levels[0])

    def set(self, index: int, leaf: bytes) -> None:
        """Replace leaf ``index``, or append it when ``index`` is the current size."""
        leaves = self._levels[0]
        if index == len(leaves):
            leaves.append(leaf)
        elif 0 <= index < len(leaves):
            leaves[index] = leaf
        else:
            raise IndexError(f"leaf {index} cannot be set in a tree of {len(leaves)}")
        level = 0
        while len(self._levels[level]) > 1:
            below = self._levels[level]
            if level + 1 == len(self._levels):
                self._levels.append([])
            above = self._levels[level + 1]
            parent = index // 2
            left = 2 * parent
            value = (
                below[left] if left + 1 == len(below) else node_hash(below[left], below[left + 1])
            )
            if parent == len(above):
                above.append(value)
            else:
                above[parent] = value
            index, level = parent, level + 1
        del self._levels[level + 1 :]

    def root(self) -> bytes:
        """The tree's root (the empty tree: SHA-256 of nothing)."""
        if not self._levels[0]:
            return hashlib.sha256(b"").digest()
        return self._levels[-1][0]

    def leaves(self) -> list[bytes]:
        """The leaf hashes in order."""
        return list(self._levels[0])
