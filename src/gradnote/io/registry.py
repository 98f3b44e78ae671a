"""One registry per family of names, and its one ``get(identifier)``, as Keras's ``activations.get``.

    LOSSES.get("mse")                                                     # a name
    LOSSES.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})   # Keras's config
    OPTIMIZERS.get({"name": "adam", "lr": 1e-3})                          # a gradnote config table
    LOSSES.get(my_loss)                                                   # an instance or callable: as is

The families and where their registry lives: layers (gradnote.io.architecture: the allow-list that
model loading builds from), losses, metrics, callbacks (gradnote.train), schedules
(gradnote.train.schedules), optimisers and activations (gradnote.keras). compile, the command line and
model loading all look names up there, so a name added once is known everywhere. The class sits in io
because naming things is what configs and saved files need, and io is below everything that names them.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Registry"]


def _build(entry, config: dict, **context):
    return entry(**config)


class Configurable:
    """Keras's config protocol, shared by the objects of a named family (initializers, regularizers,
    constraints, schedules): get_config() gives the constructor's arguments, from_config rebuilds the object
    from them, and the repr shows them.

    >>> class Scale(Configurable):
    ...     def __init__(self, k=1.0): self.k = k
    ...     def get_config(self): return {"k": self.k}
    >>> Scale.from_config({"k": 2.0})
    Scale(k=2.0)
    """

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class Registry:
    """Names (case-insensitive, with aliases) -> entries of one `family`.

    build(entry, config, **context) makes the object for a name or config (default: entry(**config));
    `passes` are the instance types get() returns unchanged. meta(name) is what the entry was
    registered with beyond its object (e.g. the argument a file-writing callback takes its path in).
    """

    def __init__(self, family: str, build: Callable = _build, passes: tuple = (), case_sensitive: bool = False):
        self.family, self._build, self.passes = family, build, passes
        self._key = (lambda name: name) if case_sensitive else str.lower
        self._names: dict[str, str] = {}  # lower-case name or alias -> registered name
        self._entries: dict[str, tuple] = {}  # registered name -> (entry or loader, lazy, meta)

    def register(self, name: str, entry=None, *, aliases=(), lazy: bool = False, **meta):
        """Add `entry` under `name` (and `aliases`); lazy: `entry` is a function returning the object on
        first use (for entries from a package above this one). Without entry, a class decorator."""
        if entry is None:
            return lambda obj: self.register(name, obj, aliases=aliases, **meta) or obj
        for key in (name, *aliases):
            other = self._names.get(self._key(key))
            if other is not None and other != name:
                raise ValueError(f"{self.family} registry: {key!r} is already the name of {other!r}")
            self._names[self._key(key)] = name
        self._entries[name] = (entry, lazy, {"aliases": tuple(aliases), **meta})
        return entry

    def names(self, aliases: bool = False) -> list:
        """The registered names in registration order (with aliases: every accepted spelling)."""
        if not aliases:
            return list(self._entries)
        return [*self._entries, *(a for _, _, meta in self._entries.values() for a in meta["aliases"])]

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and self._key(name) in self._names

    def canonical(self, name: str) -> str:
        """The registered name of `name` or an alias (ValueError naming the valid names if unknown)."""
        key = self._names.get(self._key(name)) if isinstance(name, str) else None
        if key is None:
            raise ValueError(f"unknown {self.family} {name!r}; valid names: {', '.join(self.names())}")
        return key

    def lookup(self, name: str):
        """The entry registered under `name` (a class, function or factory), not yet called."""
        key = self.canonical(name)
        entry, lazy, meta = self._entries[key]
        if lazy:
            entry = entry()
            self._entries[key] = (entry, False, meta)
        return entry

    def meta(self, name: str) -> dict:
        return dict(self._entries[self.canonical(name)][2])

    def get(self, identifier, **context):
        """The object for a name, a config dict ({"class_name": ..., "config": {...}} as Keras writes, or
        {"name": ..., **config}), an instance of `passes` or any callable (returned as is)."""
        if isinstance(identifier, self.passes):
            return identifier
        if isinstance(identifier, str):
            return self._build(self.lookup(identifier), {}, name=identifier, **context)
        if isinstance(identifier, dict):
            name, config = _split(identifier, self.family)
            return self._build(self.lookup(name), config, name=name, **context)
        if callable(identifier):
            return identifier
        raise TypeError(f"{self.family}: expected a name ({', '.join(self.names())}), a config dict or an "
                        f"object, got {type(identifier).__name__}")


def _split(spec: dict, family: str) -> tuple:
    if "class_name" in spec:
        return spec["class_name"], dict(spec.get("config") or {})
    if "name" in spec:
        return spec["name"], {k: v for k, v in spec.items() if k != "name"}
    raise ValueError(f"{family}: a config dict needs 'class_name' (and 'config') or 'name', got keys {sorted(spec)}")
