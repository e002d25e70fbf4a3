"""Importing function handlers (``module:function``, SAM's ``module.function``) and topology factories.

Module caching, decided: handler modules that live in the handler directory (the topology file's
directory, or a SAM function's ``CodeUri``) are imported **fresh for each load** and do not stay in
``sys.modules``. ``load`` puts the directory first on ``sys.path``, hides any module of the same
name imported earlier (from another blueprint's ``handlers.py``, say), imports, then removes the
modules it imported from that directory and restores what it hid and ``sys.path``. So:

* two topologies whose folders each hold a ``handlers.py`` each get their own;
* module-level state (a list of processed orders, a connection cache) starts clean for each
  simulation, which keeps simulations independent and deterministic;
* functions of one load that share a directory share its modules (one import per directory and
  module per load), as a process would;
* the modules are in ``Topology.modules`` for a test to inspect, not in ``sys.modules``; a handler
  that imports a module of its own directory lazily, inside the function, at call time, will not
  find it: import at the top of the module.

Modules that are not in the handler directory (the standard library, installed packages, the
project's own packages found on ``sys.path``) are imported the normal way and stay cached.

A Python factory (``module:build``) is plain Python: it is imported the normal way (with ``base_dir``,
or the current directory, first on ``sys.path`` during the import) and stays cached, so a test can
import the same module and see the same objects.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ._errors import TopologyError

__all__ = ("INLINE_SOURCE", "HandlerImporter", "import_factory", "split_handler")

#: The global under which a module made from inline code keeps its source.
INLINE_SOURCE = "__eventbus_inline_source__"


def split_handler(spec: str, *, style: str) -> tuple[str, str]:
    """``(module, attribute)`` of ``module:function`` (``style="colon"``) or ``module.function`` (SAM).

    Raises:
        TopologyError: a spec without both parts.
    """
    if style == "colon":
        module, sep, attribute = spec.partition(":")
    else:
        module, sep, attribute = spec.rpartition(".")
    if not sep or not module or not attribute:
        expected = "module:function" if style == "colon" else "module.function"
        raise TopologyError(f"handler {spec!r} is not of the form {expected}")
    return module, attribute


def _under(path: str | None, directory: Path) -> bool:
    if not path:
        return False
    try:
        Path(path).resolve().relative_to(directory)
    except (ValueError, OSError):
        return False
    return True


_PROTECTED_ROOTS = tuple(str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def _protected(module: types.ModuleType) -> bool:
    """Modules load never hides: the standard library, installed packages, eventbus itself."""
    file = getattr(module, "__file__", None)
    if not file:
        return True
    resolved = str(Path(file).resolve())
    return resolved.startswith(_PROTECTED_ROOTS) or _under(resolved, _PACKAGE_ROOT)


def _local_names(directory: Path) -> set[str]:
    """The top-level module names a directory provides (``x.py``, packages ``x/``)."""
    names: set[str] = set()
    try:
        entries = list(directory.iterdir())
    except OSError:
        return names
    for entry in entries:
        if entry.suffix == ".py" and entry.is_file():
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return names


@contextmanager
def _on_path(directory: Path) -> Iterator[None]:
    entry = str(directory)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        with suppress(ValueError):  # the imported code removed it itself
            sys.path.remove(entry)


def _describe_import_error(module: str, directory: Path, error: BaseException) -> str:
    if (
        isinstance(error, ModuleNotFoundError)
        and error.name is not None
        and (module == error.name or module.startswith(error.name + "."))
    ):
        return f"module '{module}' cannot be imported: no module named '{error.name}' in {directory} or on sys.path"
    return f"module '{module}' cannot be imported: {type(error).__name__}: {error}"


class HandlerImporter:
    """Imports handler modules for one load, fresh per handler directory (see the module docstring).

    Args:
        root: the load's base directory. ``modules`` keys a module imported from it by its name
            (``shop.handlers``), one imported from another directory by that directory relative to
            the root and its name (``src/orders:app``, as SAM's ``CodeUri`` layouts have one ``app``
            per function), and inline code by the resource's logical id and its name
            (``InlineFunction:index``).
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or Path.cwd()).resolve()
        self.modules: dict[str, types.ModuleType] = {}
        self._by_dir: dict[tuple[Path, str], types.ModuleType] = {}

    def _key(self, name: str, directory: Path) -> str:
        try:
            relative = directory.relative_to(self.root).as_posix()
        except ValueError:
            relative = directory.as_posix()
        return name if relative == "." else f"{relative}:{name}"

    def resolve(self, spec: str, directory: Path, *, style: str = "colon") -> Callable[..., Any]:
        """The callable ``spec`` names, imported from ``directory``.

        Raises:
            TopologyError: a malformed spec, a module that cannot be imported (saying why), or a
                module without that attribute, or an attribute that is not callable.
        """
        module_name, attribute = split_handler(spec, style=style)
        module = self.module(module_name, directory)
        target: Any = module
        for part in attribute.split("."):
            try:
                target = getattr(target, part)
            except AttributeError:
                where = getattr(module, "__file__", module_name)
                raise TopologyError(
                    f"handler {spec!r}: module '{module_name}' ({where}) has no attribute '{attribute}'"
                ) from None
        if not callable(target):
            raise TopologyError(
                f"handler {spec!r}: '{attribute}' is a {type(target).__name__}, not a function"
            )
        handler: Callable[..., Any] = target
        return handler

    def module(self, name: str, directory: Path) -> types.ModuleType:
        """Import module ``name`` as seen from ``directory`` (fresh when it lives there)."""
        directory = directory.resolve()
        key = (directory, name)
        cached = self._by_dir.get(key)
        if cached is not None:
            return cached
        local = _local_names(directory)
        top = name.split(".", 1)[0]
        if top not in local:
            try:
                with _on_path(directory):
                    module = importlib.import_module(name)
            except Exception as error:
                raise TopologyError(_describe_import_error(name, directory, error)) from None
        else:
            module = self._import_fresh(name, directory, local)
        self._by_dir[key] = module
        self.modules[self._key(name, directory)] = module
        return module

    def inline(self, name: str, source: str, origin: str, *, owner: str) -> types.ModuleType:
        """A module made from inline code (``Code.ZipFile``, SAM ``InlineCode``).

        Raises:
            TopologyError: the code does not compile or raises while it runs.
        """
        module = types.ModuleType(name)
        module.__file__ = origin
        module.__dict__[INLINE_SOURCE] = source  # so that export writes it back as InlineCode
        try:
            exec(compile(source, origin, "exec"), module.__dict__)
        except Exception as error:
            raise TopologyError(
                f"inline code of module '{name}' failed: {type(error).__name__}: {error}"
            ) from None
        self.modules[f"{owner}:{name}"] = module
        return module

    def _import_fresh(self, name: str, directory: Path, local: set[str]) -> types.ModuleType:
        def is_local(key: str) -> bool:
            return key.split(".", 1)[0] in local

        hidden = {key: mod for key, mod in sys.modules.items() if is_local(key) and not _protected(mod)}
        for key in hidden:
            del sys.modules[key]
        before = set(sys.modules)
        importlib.invalidate_caches()
        try:
            with _on_path(directory):
                module = importlib.import_module(name)
        except Exception as error:
            raise TopologyError(_describe_import_error(name, directory, error)) from None
        finally:
            for key in set(sys.modules) - before:
                mod = sys.modules[key]
                if is_local(key) or _under(getattr(mod, "__file__", None), directory):
                    del sys.modules[key]
            sys.modules.update(hidden)
        return module


def import_factory(spec: str, base_dir: Path) -> Callable[..., Any]:
    """The ``module:build`` factory, imported the normal way with ``base_dir`` first on ``sys.path``.

    Raises:
        TopologyError: the module cannot be imported, or has no such callable.
    """
    module_name, attribute = split_handler(spec, style="colon")
    try:
        with _on_path(base_dir.resolve()):
            module = importlib.import_module(module_name)
    except Exception as error:
        raise TopologyError(_describe_import_error(module_name, base_dir, error), file=spec) from None
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise TopologyError(f"module '{module_name}' has no attribute '{attribute}'", file=spec)
    if not callable(target):
        raise TopologyError(f"'{attribute}' is a {type(target).__name__}, not a function", file=spec)
    factory: Callable[..., Any] = target
    return factory
