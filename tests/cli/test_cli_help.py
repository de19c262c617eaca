"""``--help`` works on every command and sub-command of ``sco-discourse`` (found by walking
the parser, so a newly added command is covered without editing this file)."""

from __future__ import annotations

import argparse

import pytest

from sco_discourse.cli import build_parser, main


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for action in parser._actions:  # argparse offers no public walk of sub-parsers
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, (*prefix, name))
    return found


COMMANDS = _commands(build_parser())


def test_the_walk_finds_every_group_and_subcommand():
    groups = {c[0] for c in COMMANDS if c}
    assert groups == {"corpus", "frames", "kwic", "keywords", "topics", "figures", "cite"}
    assert ("keywords", "keyness") in COMMANDS and ("topics", "sweep") in COMMANDS
    assert len(COMMANDS) == 1 + 7 + 2 + 10 + 4 + 5  # top, groups, corpus, frames, keywords, topics


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "sco-discourse")
def test_help_prints_usage_and_exits_0(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sco-discourse " + " ".join(command))
    assert "--help" in out
    assert "%%" not in out  # a literal percent sign is written once in descriptions


# ------------------------------------------------------------------ errors every command shares
@pytest.mark.parametrize("argv, message", [
    (["frames", "count", "--by", "year", "--n-resamples", "0"], "argument --n-resamples: must be an integer >= 1, got '0'"),
    (["frames", "count", "--seed", "-1"], "argument --seed: must be an integer >= 0, got '-1'"),
    (["topics", "fit", "--k", "0", "--out", "x"], "argument --k: must be an integer >= 1, got '0'"),
    (["keywords", "collocates", "--node", "community", "--window", "zero"],
     "argument --window: must be an integer >= 1, got 'zero'"),
])
def test_out_of_range_numbers_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unwritable_output_is_an_error_naming_the_path(tmp_path, capsys):
    assert main(["frames", "count", "--out", str(tmp_path)]) == 2  # a folder, not a file
    err = capsys.readouterr().err
    assert f"sco-discourse: error: {tmp_path}: Is a directory" in err and "Traceback" not in err


def test_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    big = tmp_path / "big.csv"  # one text far larger than a pipe buffer
    big.write_text("id,text\nbig,\"" + "The SCO met again. " * 20_000 + "\"\n", encoding="utf-8")
    code = "import sys; from sco_discourse.cli import main; sys.exit(main(sys.argv[1:]))"
    for argv in (["corpus", "show", "big"], ["kwic", "--pattern", "SCO"]):
        reader = subprocess.Popen([sys.executable, "-c", code, *argv, "--corpus", str(big)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        reader.stdout.read(10)  # like `| head -c 10`
        reader.stdout.close()
        assert reader.wait(timeout=60) == 0, argv
        assert b"rror" not in reader.stderr.read(), argv
