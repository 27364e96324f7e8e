"""Print pip constraints that hold each library at the floor pyproject.toml gives it (`make
test-floors`): the release series of the floor (">=3.7" gives "==3.7.*", its newest patch),
for the core dependencies and the tensorflow extra. Warns when this Python is not the oldest
one pyproject claims."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

FLOOR = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(?:\[[^\]]*\])?>=(?P<version>[\d.]+)")


def main() -> int:
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["tensorflow"]]
    floors = [FLOOR.match(requirement) for requirement in requirements]
    missing = [r for r, found in zip(requirements, floors, strict=True) if not found]
    if missing:
        print(f"no floor (>=) in {', '.join(missing)}", file=sys.stderr)
        return 1
    for found in floors:
        print(f"{found['name']}=={found['version']}.*")
    oldest = re.match(r">=\s*(\d+)\.(\d+)", project["requires-python"])
    if oldest and sys.version_info[:2] != (int(oldest[1]), int(oldest[2])):
        print(f"warning: this is Python {sys.version_info[0]}.{sys.version_info[1]}; the oldest "
              f"pyproject claims is {oldest[1]}.{oldest[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
