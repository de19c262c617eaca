"""The README is executable documentation: its two set-up commands are the ones CI runs,
and its Python example runs as written on the embedded corpus."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_readme_opens_with_exactly_the_two_set_up_commands():
    first = re.search(r"```(\w*)\n(.*?)```", README, re.S)
    assert first.group(1) == "bash"
    commands = [line for line in first.group(2).splitlines() if line.strip()]
    assert len(commands) == 2
    main_job, tests = commands
    assert main_job.startswith("python3.11 -m venv .venv") and main_job.endswith("sco-discourse figures")
    assert "pytest" in tests
    # nothing but a heading and one sentence before the commands
    assert README.index("```") < 200


def test_ci_runs_the_readme_test_command():
    tests = [line for line in _blocks("bash")[0].splitlines() if line.strip()][1]
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in script.splitlines()


def test_python_example_runs_on_the_embedded_corpus():
    (example,) = _blocks("python")[:1]
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the example's small-sample caveats are expected
        exec(compile(example, "README.md", "exec"), namespace)
    rates = namespace["rates"]
    assert set(rates["year"]) == {2020, 2021, 2022, 2023, 2024}
    total = rates[(rates["frame"] == "shared_future") & (rates["variant"] == "")]
    assert total["count"].sum() == 23  # the hand-coded total of the seed corpus (gold file)
    assert namespace["model"].n_topics == 3 and namespace["model"].units_ is not None
