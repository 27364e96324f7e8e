"""The one place that names the course's repository: `_config.yml`, section `repository`
(`url`; `branch`: the branch or tag that the book's buttons and links point at; `release`: the
tag the install cells install), and `html.baseurl`, where the book is published.

The install cells pin a release tag, `v` and the package's version (`imgclf.__version__`, the
one source of it), not a commit: a package change and its notebooks land as one commit that
also bumps the version, and `make release` (`python -m imgclf.course release`) tags that
commit after checking that every pin agrees. Once the tag exists, a package that differs
from the tagged one without a new version fails `tests/test_repository.py` (where the tag is
at hand).

Everything else that names it is derived from there (links to other repositories are left
alone: `own_repositories`): `apply` rewrites it (`make sync` runs it first), `disagreements`
lists what does not match (a test runs it). The derived places: `repository.release` from the
package's version, the package's `imgclf.REPOSITORY` (its error messages), `pyproject.toml`'s
project URLs, the links of the README and the book's pages, and every chapter's install cell
(in the `.md` source; `make sync` then writes the `.ipynb`).
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
RELEASE = re.compile(r"v\d+\.\d+\.\d+")
VERSION = re.compile(r'^__version__ = "(?P<version>[^"]+)"$', re.M)
RELEASE_LINE = re.compile(r"^(?P<indent>\s+)release: .*$", re.M)
# pyproject.toml's link to the published book (`html.baseurl`).
DOCUMENTATION = re.compile(r'^Documentation = "[^"]*"$', re.M)
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
    from imgclf import profiles

    print(profiles.runtime_report())
```"""
FIRST_CELL = re.compile(r"```\{code-cell\} ipython3\n:tags: \[remove-cell\]\n.*?\n```", re.S)


@dataclass(frozen=True)
class Repository:
    """url: "https://github.com/OWNER/NAME"; ref: the branch or tag the book points at;
    book: the published book's address, ending in "/"; pin: the release tag the install
    cells install ("vX.Y.Z")."""

    url: str
    ref: str
    book: str
    pin: str

    @property
    def install(self) -> str:
        """The requirement an install cell passes to pip: the release tag."""
        return f"imgclf @ git+{self.url}@{self.pin}"

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
    release = section.get("release")
    if not isinstance(release, str) or not RELEASE.fullmatch(release):
        raise ValueError(f"{path}: repository.release must be the tag the install cells "
                         f"install, v and the package's version (vX.Y.Z), got {release!r}")
    book = (yaml.safe_load(path.read_text()).get("html") or {}).get("baseurl")
    if not isinstance(book, str) or not re.fullmatch(r"https://\S+/", book):
        raise ValueError(f"{path}: html.baseurl must be the published book's https address, "
                         f"ending in /, got {book!r}")
    return Repository(url, ref, book, release)


def package_version(root: Path | str = ".") -> str:
    """The package's version, as `imgclf/__init__.py` under `root` sets `__version__`.

    Raises:
        ValueError: no `__version__ = "X.Y.Z"` line there.
    """
    path = Path(root) / "imgclf" / "__init__.py"
    found = VERSION.search(path.read_text()) if path.exists() else None
    if not found or not RELEASE.fullmatch(f"v{found['version']}"):
        raise ValueError(f"{path}: no __version__ = \"X.Y.Z\" line (the one source of the "
                         f"package's version)")
    return found["version"]


def _git(root: Path | str, *args: str) -> str | None:
    import subprocess

    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def package_changed_since(root: Path | str, tag: str) -> bool | None:
    """Whether the installed package (`PACKAGE_PATHS`) differs between `tag` and the working
    tree of the git repository at `root`; None where that tag is not at hand (a copy without
    git, a clone without tags, a version not yet released)."""
    if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}") is None:
        return None
    return _git(root, "diff", "--quiet", tag, "--", *PACKAGE_PATHS) is None


def release(root: Path | str = ".") -> str:
    """Tag the current commit with the release the install cells pin (`make release`).

    Returns the tag. Raises RuntimeError, tagging nothing, when the working tree has
    uncommitted changes, a derived place disagrees with `_config.yml` (`disagreements`), or
    the tag already exists.
    """
    root = Path(root)
    tag = configured(root).pin
    if _git(root, "rev-parse", "--show-toplevel") is None:
        raise RuntimeError(f"{root} is not a git repository: a release is a git tag")
    if _git(root, "status", "--porcelain", "--untracked-files=no"):
        raise RuntimeError("the working tree has uncommitted changes: commit them first, so "
                           "that the tag names what the install cells will install")
    found = disagreements(root)
    if found:
        raise RuntimeError("these places disagree with the release " + tag + " (python -m "
                           "imgclf.course repository --apply rewrites them, then commit):\n  "
                           + "\n  ".join(found))
    if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}") is not None:
        raise RuntimeError(f"{tag} is tagged already: raise __version__ in imgclf/__init__.py "
                           f"for a new release, then make sync and commit")
    if _git(root, "tag", "-a", tag, "-m", f"imgclf {tag}: the package the install cells "
            f"install") is None:
        raise RuntimeError(f"git could not create the tag {tag}")
    return tag


def derived_files(root: Path | str = ".") -> list[Path]:
    """The files that name the repository, besides `_config.yml`."""
    root = Path(root)
    return sorted([root / "README.md", root / "pyproject.toml", root / "imgclf" / "__init__.py",
                   *(root / "book").glob("*.md"), *(root / "notebooks").glob("[0-9][0-9]-*.md")])


def _owner_and_name(url: str) -> str:
    """"owner/name" of a GitHub or Colab link to a repository, lower case (GitHub ignores case)."""
    path = re.sub(r"^https://(?:github\.com|colab\.research\.google\.com/github)/", "", url)
    return "/".join(path.split("/")[:2]).lower()


def own_repositories(root: Path | str, repository: Repository) -> frozenset[str]:
    """The repositories whose links are the course's own ("owner/name"): the configured one,
    and the one the derived places named before it (`pyproject.toml`'s Homepage), so that a
    fork's new `_config.yml` rewrites the old links. Links to any other repository (Keras's
    issues, d2l.ai's sources) are left as they are."""
    import tomllib

    own = {_owner_and_name(repository.url)}
    pyproject = Path(root) / "pyproject.toml"
    if pyproject.exists():
        homepage = (tomllib.loads(pyproject.read_text()).get("project", {})
                    .get("urls", {}).get("Homepage"))
        if isinstance(homepage, str) and GITHUB.fullmatch(homepage):
            own.add(_owner_and_name(homepage))
    return frozenset(own)


def _derive(text: str, repository: Repository, own: frozenset[str]) -> str:
    def install(match):
        return repository.install

    def colab(match):
        return repository.colab if _owner_and_name(match[0]) in own else match[0]

    def github(match):
        if _owner_and_name(match[0]) not in own:
            return match[0]
        return repository.url + (f"/blob/{repository.ref}/" if match["blob"] else "")

    text = INSTALL.sub(install, text)
    text = COLAB.sub(colab, text)
    text = DOCUMENTATION.sub(f'Documentation = "{repository.book}"', text)
    return GITHUB.sub(github, text)


def _install_cell(first: str, repository: Repository, own: frozenset[str]) -> str:
    """The install cell that should replace a chapter's first cell `first`: the template, with
    the requirement `first` names brought in line with the configuration (`_derive`)."""
    named = INSTALL.search(first)
    requirement = _derive(named[0], repository, own) if named else repository.install
    return INSTALL_CELL.replace("REQUIREMENT", requirement)


def apply(root: Path | str = ".") -> list[Path]:
    """Rewrite every derived place from `_config.yml`; return the files that changed."""
    root = Path(root)
    config = root / CONFIG
    text = config.read_text()
    tag = f"v{package_version(root)}"
    new = RELEASE_LINE.sub(lambda m: f"{m['indent']}release: {tag}", text, count=1)
    changed = []
    if new != text:
        config.write_text(new)
        changed.append(config)
    repository = configured(root)
    own = own_repositories(root, repository)
    for path in derived_files(root):
        text = path.read_text()
        new = _derive(text, repository, own)
        if path.parent.name == "notebooks":
            new = FIRST_CELL.sub(lambda first: _install_cell(first[0], repository, own), new,
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
    own = own_repositories(root, repository)
    found = []
    version = package_version(root)
    if repository.pin != f"v{version}":
        found.append(f"{CONFIG}: repository.release is {repository.pin} (expected: v{version}, "
                     f"the package's version)")
    for path in derived_files(root):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            expected = _derive(line, repository, own)
            if expected != line:
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()} (expected: "
                             f"{expected.strip()})")
        if path.parent.name == "notebooks":
            first = FIRST_CELL.search(path.read_text())
            if not first or first[0] != _install_cell(first[0], repository, own):
                found.append(f"{path.relative_to(root)}: its first cell is not the install "
                             f"cell of imgclf.course.repository.INSTALL_CELL for "
                             f"{repository.install!r}")
    return found
