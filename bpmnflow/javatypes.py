"""Java value kinds that Python's numbers do not tell apart.

JUEL computes integer arithmetic in ``long``: ``${amount + 1}`` is a Long in Camunda even when
``amount`` is an Integer, and a stored variable keeps that type.  Results of expression
arithmetic are therefore ``JavaLong``, which is an ``int`` everywhere else.
"""

from __future__ import annotations


class JavaLong(int):
    """An integer that came out of expression arithmetic (a Java ``long``)."""

    __slots__ = ()
