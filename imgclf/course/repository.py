"""The one place that names the course's repository: `_config.yml`, section `repository`
(`url`, and `branch`: the branch or tag that the book's buttons and links point at), and
`html.baseurl`, where the book is published.

The install cells pin a commit, not a branch: the last commit that changed the package learners
install (`imgclf/` without `imgclf/course/`, and `pyproject.toml`), found with git. So a chapter
opened at any commit installs exactly the package of that commit, and a moving `main` never
changes what an old notebook installs. After committing a change to the package, `make sync`
pins it and that goes in a second commit; `tests/test_repository.py` fails until it does. Where
the history is not at hand (a copy without git, a shallow clone), a pinned commit is kept as
it is and a branch is replaced by the configured one.

Everything else that names it is derived from there: `apply` rewrites it (`make sync` runs
it first), `disagreements` lists what does not match (a test runs it). The derived places:
the package's `imgclf.REPOSITORY` (its error messages), `pyproject.toml`'s Homepage, the
links of the README and the book's pages, and every chapter's install cell (in the `.md`
source; `make sync` then writes the `.ipynb`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CONFIG = "_config.yml"
# A GitHub repository URL, with the ref of a file link when there is one.
GITHUB = re.compile(r"https://github\.com/[\w.-]+/[\w-]+(?:\.[\w-]+)*(?P<blob>/blob/[^/\s)\"']+/)?")
COLAB = re.compile(r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[^/\s)\"']+/")
INSTALL = re.compile(r"imgclf @ git\+https://github\.com/[\w.-]+/[\w.-]+?(?:@(?P<ref>[\w./-]+))?(?=\")")
COMMIT = re.compile(r"[0-9a-f]{40}")
# What learners install: the package, without the course's tooling.
PACKAGE_PATHS = ("imgclf", "pyproject.toml", ":(exclude)imgclf/course")
# Every chapter's first cell, from this template (REQUIREMENT: `Repository.install`). It
# installs the package without replacing Colab's TensorFlow or Keras: they are pinned as pip
# constraints, so that a requirement they do not meet stops the install with a clear error
# instead of a silent downgrade.
INSTALL_CELL = """```{code-cell} ipython3
:tags: [remove-cell]

# In Colab: install the course's package, keeping Colab's TensorFlow and Keras. Elsewhere: nothing.
import sys

if "google.colab" in sys.modules:
    import pathlib
    import subprocess
    import tempfile
    from importlib import metadata

    requirement = "REQUIREMENT"
    kept = []
    for name in ("tensorflow", "keras"):
        try:
            kept.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    pins = pathlib.Path(tempfile.mkdtemp()) / "keep-colab.txt"
    pins.write_text("\\n".join(kept))
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c", str(pins),
                           requirement], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"pip could not install {requirement} while keeping Colab's "
                           f"{', '.join(kept)} (a requirement they do not meet, or no "
                           f"network); nothing was replaced. pip said:\\n{done.stderr[-2000:]}")
    print(f"installed imgclf {metadata.version('imgclf')} ({requirement}); kept "
          f"{', '.join(kept) or 'no TensorFlow or Keras'}")
```"""
FIRST_CELL = re.compile(r"```\{code-cell\} ipython3\n:tags: \[remove-cell\]\n.*?\n```", re.S)


@dataclass(frozen=True)
class Repository:
    """url: "https://github.com/OWNER/NAME"; ref: the branch or tag the book points at;
    book: the published book's address, ending in "/"; pin: the commit the install cells
    install (`package_commit`), or None where the history is not at hand."""

    url: str
    ref: str
    book: str
    pin: str | None = None

    @property
    def install(self) -> str:
        """The requirement an install cell passes to pip: the pinned commit (else the ref)."""
        return f"imgclf @ git+{self.url}@{self.pin or self.ref}"

    @property
    def install_cell(self) -> str:
        """A chapter's first cell, in MyST (see `INSTALL_CELL`)."""
        return INSTALL_CELL.replace("REQUIREMENT", self.install)

    @property
    def colab(self) -> str:
        """The prefix of a notebook's Open-in-Colab URL (add `notebooks/NN-topic.ipynb`)."""
        owner_and_name = self.url.removeprefix("https://github.com/")
        return f"https://colab.research.google.com/github/{owner_and_name}/blob/{self.ref}/"


def configured(root: Path | str = ".") -> Repository:
    """The repository named in `root/_config.yml`.

    Raises:
        ValueError: no `repository` section with a GitHub `url` and a `branch`.
    """
    import yaml

    path = Path(root) / CONFIG
    section = (yaml.safe_load(path.read_text()) or {}).get("repository") or {}
    url, ref = section.get("url"), section.get("branch")
    if not isinstance(url, str) or not GITHUB.fullmatch(url) or GITHUB.fullmatch(url)["blob"]:
        raise ValueError(f"{path}: repository.url must be https://github.com/OWNER/NAME, got "
                         f"{url!r}")
    if not isinstance(ref, str) or not re.fullmatch(r"[\w./-]+", ref):
        raise ValueError(f"{path}: repository.branch must name a branch or tag, got {ref!r}")
    book = (yaml.safe_load(path.read_text()).get("html") or {}).get("baseurl")
    if not isinstance(book, str) or not re.fullmatch(r"https://\S+/", book):
        raise ValueError(f"{path}: html.baseurl must be the published book's https address, "
                         f"ending in /, got {book!r}")
    return Repository(url, ref, book, package_commit(path.parent))


def package_commit(root: Path | str = ".") -> str | None:
    """The last commit that changed the installed package (`PACKAGE_PATHS`) in the git
    repository at `root`; None when `root` is not one, or a shallow clone (whose oldest commit
    would seem to change everything)."""
    import subprocess

    def git(*args):
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None

    if git("rev-parse", "--show-toplevel") != str(Path(root).resolve()) or \
            git("rev-parse", "--is-shallow-repository") != "false":
        return None
    return git("log", "-1", "--format=%H", "--", *PACKAGE_PATHS) or None


def derived_files(root: Path | str = ".") -> list[Path]:
    """The files that name the repository, besides `_config.yml`."""
    root = Path(root)
    return sorted([root / "README.md", root / "pyproject.toml", root / "imgclf" / "__init__.py",
                   *(root / "book").glob("*.md"), *(root / "notebooks").glob("[0-9][0-9]-*.md")])


def _derive(text: str, repository: Repository) -> str:
    def install(match):
        kept = match["ref"] if repository.pin is None and COMMIT.fullmatch(match["ref"] or "") \
            else None
        return f"imgclf @ git+{repository.url}@{kept}" if kept else repository.install

    text = INSTALL.sub(install, text)
    text = COLAB.sub(repository.colab, text)
    return GITHUB.sub(lambda m: repository.url + (f"/blob/{repository.ref}/"
                                                  if m["blob"] else ""), text)


def _install_cell(first: str, repository: Repository) -> str:
    """The install cell that should replace a chapter's first cell `first`: the template, with
    the requirement `first` names brought in line with the configuration (`_derive`)."""
    named = INSTALL.search(first)
    requirement = _derive(named[0], repository) if named else repository.install
    return INSTALL_CELL.replace("REQUIREMENT", requirement)


def apply(root: Path | str = ".") -> list[Path]:
    """Rewrite every derived place from `_config.yml`; return the files that changed."""
    repository = configured(root)
    changed = []
    for path in derived_files(root):
        text = path.read_text()
        new = _derive(text, repository)
        if path.parent.name == "notebooks":
            new = FIRST_CELL.sub(lambda first: _install_cell(first[0], repository), new,
                                 count=1)
        if new != text:
            path.write_text(new)
            changed.append(path)
    return changed


def disagreements(root: Path | str = ".") -> list[str]:
    """One line per derived place that does not match `_config.yml` ("file:line: found,
    expected"), and per chapter whose install cell is missing; empty when all agree."""
    root = Path(root)
    repository = configured(root)
    found = []
    for path in derived_files(root):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            expected = _derive(line, repository)
            if expected != line:
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()} (expected: "
                             f"{expected.strip()})")
        if path.parent.name == "notebooks":
            first = FIRST_CELL.search(path.read_text())
            if not first or first[0] != _install_cell(first[0], repository):
                found.append(f"{path.relative_to(root)}: its first cell is not the install "
                             f"cell of imgclf.course.repository.INSTALL_CELL for "
                             f"{repository.install!r}")
    return found
