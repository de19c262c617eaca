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
    assert len(COMMANDS) == 1 + 7 + 2 + 6 + 4 + 5  # top, groups, corpus, frames, keywords, topics


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "sco-discourse")
def test_help_prints_usage_and_exits_0(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sco-discourse " + " ".join(command))
    assert "--help" in out
    assert "%%" not in out  # a literal percent sign is written once in descriptions
