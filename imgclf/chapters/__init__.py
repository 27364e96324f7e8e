"""The book's chapters, one module each: everything of a chapter that is not its notebook.

A chapter's module (`imgclf/chapters/topic.py` for `notebooks/NN-topic.md`) holds:

- `NAME`: the notebook's name, "NN-topic";
- `Plan` and `plan(settings)`: what it trains in each profile, a frozen dataclass of typed
  values (`imgclf.plans.Plan`), which the notebook reads and `imgclf.cost` prices;
- `ANSWERS` and `EXPERIMENTS`: its exercises' self-checks, by the names the notebook gives
  `imgclf.check.answer` and `imgclf.check.experiment` ("NN-..."), built on what the chapters
  share (`imgclf.chapters._checks`);
- `EXPECTED`: its expected ranges and claimed orders, per profile and data set, as TOML
  (`notebooks/expected.toml` is generated from them: `python -m imgclf.course expected
  --write`, run by `make sync`);
- the sentences its claims are told in, where they are its own (`resnet.degradation`).

The modules are found here, not listed: a new chapter is its module, its notebook and its
line in `_toc.yml` (README, "A new chapter").
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType

__all__ = ["module", "modules", "names"]


@functools.cache
def _modules() -> tuple[ModuleType, ...]:
    found = [importlib.import_module(f"{__name__}.{info.name}")
             for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    return tuple(sorted(found, key=lambda module: module.NAME))


def names() -> tuple[str, ...]:
    """Every chapter's name, in the book's order: ("01-...", "02-...", ...)."""
    return tuple(module.NAME for module in _modules())


def modules() -> tuple[ModuleType, ...]:
    """Every chapter's module, in the book's order."""
    return _modules()


def module(name: str) -> ModuleType:
    """The module of chapter `name` ("NN-topic", or its number "NN").

    Raises:
        ValueError: no chapter of that name.
    """
    matches = [m for m in _modules() if name in (m.NAME, m.NAME.split("-")[0])]
    if len(matches) != 1:
        raise ValueError(f"name must be a chapter of the book, got {name!r}; chapters: "
                         f"{', '.join(names())}")
    return matches[0]
