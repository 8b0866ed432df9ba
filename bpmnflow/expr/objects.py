"""Engine objects that expressions may touch.

Expressions come from deployed models, i.e. from users, so nothing in them may reach an
attribute that the engine did not list on purpose. An object takes part by subclassing
:class:`ELObject` and naming its readable properties and callable methods; a function
takes part by being wrapped in :class:`ELFunction` and returned from the resolver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

__all__ = ["ELFunction", "ELObject"]


class ELObject:
    """Base class for objects whose members expressions may use.

    ``el_properties`` lists attributes readable as ``${obj.name}``; ``el_methods`` lists
    methods callable as ``${obj.name(args)}``. A Java-bean style getter in
    ``el_methods`` (``getFoo`` or ``isFoo``) also makes ``${obj.foo}`` work, because
    Camunda models use both spellings. Private names are refused at class creation so a
    careless whitelist cannot open ``__class__`` and friends.
    """

    el_properties: ClassVar[frozenset[str]] = frozenset()
    el_methods: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attr in ("el_properties", "el_methods"):
            names = getattr(cls, attr)
            if not isinstance(names, frozenset):
                raise TypeError(f"{cls.__name__}.{attr} must be a frozenset of names")
            private = sorted(n for n in names if not n.isidentifier() or n.startswith("_"))
            if private:
                raise TypeError(f"{cls.__name__}.{attr} may not expose {private}")


class ELFunction:
    """A callable that expressions may invoke as ``${name(args)}``.

    The resolver returns one for a function name (``S``, ``dateTime``…); any other value
    in call position is refused, so a variable holding a Python callable is never run.
    """

    __slots__ = ("fn", "name")

    def __init__(self, fn: Callable[..., Any], name: str | None = None) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "function")

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)

    def __repr__(self) -> str:
        return f"ELFunction({self.name!r})"
