"""The course's tooling: what executes, checks, stages and publishes the book.

Not part of the learner's package (a chapter imports none of it, and the wheel that Colab
installs leaves it out); it is importable from a clone of the repository, where `make` and
`python -m imgclf.course run-notebooks | build-book | results | sync-notebooks | ...` (its
command line, `imgclf/course/cli.py`) use it.
The one bridge between the two is `imgclf.runs`: `imgclf.course.execute` writes a run
context file in, and the chapter's `report(...)` writes a run result file out, with the
trainings its `RecordTraining` callbacks saw (both schemas: `imgclf.runs`).

- `execute`: runs notebooks with papermill, reuses finished runs (`cache`), writes records;
- `records`: reading run records and the table of their seconds;
- `expected`: the expected ranges of each chapter's metrics;
- `pairs`: the .md / .ipynb pairs and their checked reference outputs;
- `book`, `results`: the HTML book and its results page;
- `sitecheck`: the built site in a real browser; `sphinx_fixes`: a Sphinx extension.
"""
