"""``sco-discourse corpus info|show``: tables, cleaned text, --explain, user corpora, errors."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from sco_discourse import load_corpus
from sco_discourse.cli import main
from sco_discourse.corpus.cleaning import explain

SEED_DATES = {"seed-000": "2020-11-12", "seed-001": "2023-07-04", "seed-002a": "2021", "seed-002b": "2021",
              "seed-002c": "2021-06", "seed-002d": "2021", "seed-003": "2022-09-12", "seed-004": "2024-07-01"}

# Token counts by hand: hyphenated compounds and numbers are one token each.
USER_CSV = (
    "speech,body,published,source\n"
    "s1,Building a community with a shared future.,2021-06-15,Xinhua\n"           # 7 tokens
    "s2,The SCO-Afghanistan group met in 2021.,2021,Dawn\n"                        # 6 tokens
    "s3,\"Home » World » Summit\nSummit opens\nLeaders met today.\",2022-09,Dawn\n"  # cleaned: 5 tokens
)
USER_COLUMNS = ["--columns", "id=speech", "text=body", "date=published", "outlet=source"]


def run(capsys, *argv):
    """Run the command; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def user_csv(tmp_path):
    path = tmp_path / "speeches.csv"
    path.write_text(USER_CSV, encoding="utf-8")
    return path


# ------------------------------------------------------------------ corpus info
def test_info_lists_every_seed_article_with_its_date(capsys):
    code, out, err = run(capsys, "corpus", "info")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["doc_id", "source_file", "date", "date_precision", "date_method", "language",
                                "outlet", "title", "n_tokens"]
    assert len(lines) == 1 + 8
    for line, (doc_id, date) in zip(lines[1:], SEED_DATES.items()):
        assert line.split()[:3] == [doc_id, load_corpus()[doc_id].meta["source_file"], date]
    assert "Beijing Review" in lines[2] and "Shanghai Hotline News" in lines[7]
    assert "China commits to building closer SCO community with shared" in lines[2]


def test_info_out_writes_the_full_table(capsys, tmp_path):
    target = tmp_path / "tables" / "info.csv"
    code, out, err = run(capsys, "corpus", "info", "--out", str(target))
    assert code == 0 and out == "" and "wrote 8 rows" in err
    table = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["doc_id", "source_file", "date", "date_precision", "date_method", "language",
                                   "outlet", "title", "n_tokens"]
    assert dict(zip(table["doc_id"], table["date"])) == SEED_DATES
    corpus = load_corpus()
    assert list(table["title"]) == [doc.meta["title"] for doc in corpus]  # not shortened in a file
    assert list(table["date_method"]) == [doc.meta["date_method"] for doc in corpus]
    assert set(table["language"]) == {"en"}
    assert all(int(n) > 400 for n in table["n_tokens"])


def test_info_on_a_user_csv_with_column_mapping(capsys, user_csv, tmp_path):
    target = tmp_path / "info.csv"
    code, _, _ = run(capsys, "corpus", "info", "--corpus", str(user_csv), *USER_COLUMNS, "--clean",
                     "--out", str(target))
    assert code == 0
    table = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert (table["source_file"] == str(user_csv)).all()
    # the CSV has no language column: it is detected from the text
    assert table.drop(columns="source_file").values.tolist() == [
        ["s1", "2021-06-15", "day", "", "en", "Xinhua", "", "7"],
        ["s2", "2021", "year", "", "en", "Dawn", "", "6"],
        ["s3", "2022-09", "month", "", "en", "Dawn", "", "5"],
    ]


# ------------------------------------------------------------------ corpus show
def test_show_prints_the_cleaned_text(capsys):
    code, out, _ = run(capsys, "corpus", "show", "seed-002c")
    assert code == 0
    assert out == load_corpus()["seed-002c"].text + "\n"
    assert out.startswith("Wang Yi urges SCO states to make joint efforts in building closer SCO community\n")
    assert "Continue Reading" not in out


def test_show_explain_lists_every_removed_span_with_its_rule(capsys):
    code, out, _ = run(capsys, "corpus", "show", "seed-003", "--explain")
    assert code == 0
    doc = load_corpus()["seed-003"]
    spans = explain(doc.raw)
    header, *lines = out.splitlines()
    assert header == f"== cleaning: spans removed by the cleaner's rules ({len(spans)})"
    assert len(lines) == len(spans)
    for line, span in zip(lines, spans.itertuples(index=False)):
        assert line.startswith(f"[{span.start}:{span.end}] {span.rule}: ")
    assert lines[0].startswith("[0:") and "breadcrumb: 'Home » Drawing a blueprint" in lines[0]
    assert any(line.startswith("[") and "cookie_banner: \"This website uses cookies" in line for line in lines)


def test_show_raw_prints_the_page_segment(capsys):
    code, out, _ = run(capsys, "corpus", "show", "seed-000", "--raw")
    assert code == 0 and out == load_corpus()["seed-000"].raw + "\n"


def test_show_on_a_user_corpus(capsys, user_csv):
    code, out, _ = run(capsys, "corpus", "show", "s3", "--corpus", str(user_csv), *USER_COLUMNS, "--clean")
    assert code == 0 and out == "Summit opens\nLeaders met today.\n"
    code, out, _ = run(capsys, "corpus", "show", "s3", "--explain", "--corpus", str(user_csv), *USER_COLUMNS,
                       "--clean")
    assert code == 0 and out == ("== cleaning: spans removed by the cleaner's rules (1)\n"
                                 "[0:21] breadcrumb: 'Home » World » Summit'\n")
    code, out, _ = run(capsys, "corpus", "show", "s1", "--explain", "--corpus", str(user_csv), *USER_COLUMNS,
                       "--clean")
    assert code == 0 and out == "== cleaning: spans removed by the cleaner's rules (0)\n(nothing removed)\n"


# ------------------------------------------------------------------ help
@pytest.mark.parametrize("command", [[], ["corpus"], ["corpus", "info"], ["corpus", "show"]])
def test_help_on_every_corpus_command(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sco-discourse")
    if command[-1:] in (["info"], ["show"]):
        assert "--corpus PATH" in out and "--columns" in out and "--skip-bad-rows" in out
    if command[-1:] == ["show"]:
        assert "--explain" in out


def test_usage_errors_exit_2(capsys):
    for argv in (["corpus"], ["corpus", "show"], ["corpus", "info", "--no-such-option"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        assert "usage: sco-discourse" in capsys.readouterr().err


# ------------------------------------------------------------------ bad input: exit 2, file/row/field, no traceback
BAD_INPUTS = [
    ("empty.csv", b"id,text\n1,fine\n2,\n", [], r"empty.csv: row 3: field 'text'"),
    ("dates.csv", b"id,text,date\n1,a,2021-02-30\n", [], r"dates.csv: row 2: field 'date'"),
    ("dups.jsonl", b'{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', [], r"dups.jsonl: line 2: field 'id' duplicate id 'a'"),
    ("latin.csv", "id,text\n1,Dušanbe\n".encode("cp1250"), [], r"latin.csv: row 2: field 'text' holds undecodable text: .*cannot be decoded as utf-8"),
    ("map.csv", b"id,text\n1,a\n", ["--columns", "text=body"], r"map.csv: column mapping text='body': no column 'body'"),
    ("nothing.csv", b"id,text\n", [], r"nothing.csv: the corpus is empty"),
]


@pytest.mark.parametrize("name, data, options, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
@pytest.mark.parametrize("command", [["corpus", "info"], ["corpus", "show", "1"]])
def test_bad_input_gives_a_clear_error(capsys, tmp_path, command, name, data, options, message):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(capsys, *command, "--corpus", str(path), *options)
    assert code == 2 and out == ""
    assert err.startswith("sco-discourse: error: ") and "Traceback" not in err
    assert re.search(message, err), err


def test_skip_bad_rows_reports_what_was_skipped(capsys, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("id,text,date\n1,good,2021\n2,,2021\n3,fine,someday\n", encoding="utf-8")
    code, out, err = run(capsys, "corpus", "info", "--corpus", str(path), "--skip-bad-rows")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["1"]
    assert "skipped 2 bad row(s):" in err
    assert "mixed.csv: row 3: field 'text'" in err and "mixed.csv: row 4: field 'date'" in err


@pytest.mark.parametrize("argv, message", [
    (["corpus", "show", "seed-999"], "no document 'seed-999' in embedded seed corpus; ids: seed-000, seed-001"),
    (["corpus", "info", "--columns", "id=x"], "--columns and --clean apply to a user corpus: give --corpus PATH"),
    (["corpus", "info", "--corpus", "nowhere.csv"], "nowhere.csv: no such file or folder"),
    (["corpus", "info", "--corpus", "x.csv", "--columns", "id"], "--columns expects FIELD=COLUMN, got 'id'"),
])
def test_user_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_explain_needs_cleaning_on_a_user_corpus(capsys, user_csv):
    code, _, err = run(capsys, "corpus", "show", "s1", "--explain", "--corpus", str(user_csv), *USER_COLUMNS)
    assert code == 2 and "s1: no cleaning was applied to this document (use --clean)" in err


def test_file_system_errors_exit_2(capsys, monkeypatch, user_csv):
    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(user_csv))

    monkeypatch.setattr("sco_discourse.corpus.load_corpus", unreadable)
    code, _, err = run(capsys, "corpus", "info", "--corpus", str(user_csv))
    assert code == 2 and err == f"sco-discourse: error: {user_csv}: Permission denied\n"


def test_module_entry_point_runs_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sco_discourse", "corpus", "info", "--corpus", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"sco-discourse: error: {bad}: row 2: field 'text' (column 'text') is missing or empty\n"


# ------------------------------------------------------------------ web pages and wrapped text
def test_info_on_a_folder_of_web_pages(capsys, tmp_path):
    from pathlib import Path

    folder = Path(__file__).parents[1] / "data" / "html_en"
    target = tmp_path / "info.csv"
    code, out, err = run(capsys, "corpus", "info", "--corpus", str(folder), "--out", str(target))
    assert code == 0
    assert "1 page(s) without a date (kept; date_method 'not found'):" in err
    assert "pakobserver_sco_forum (pakobserver_sco_forum.html)" in err
    table = pd.read_csv(target, dtype=str, keep_default_na=False).set_index("doc_id")
    assert len(table) == 5
    assert table.loc["releasetime_xi_visit", ["source_file", "date", "date_method"]].tolist() == \
        ["releasetime_xi_visit.html", "2024-07-01", "release-time line"]
    assert table.loc["pakobserver_sco_forum", ["date", "date_method"]].tolist() == ["", "not found"]
    assert table.loc["xinhua_2020-11-12_sco_stories", "title"] == \
        "China Focus: Vivid stories indicate closer SCO community with shared future"


def test_show_explain_on_a_web_page_and_a_wrapped_speech(capsys):
    from pathlib import Path

    data = Path(__file__).parents[1] / "data"
    code, out, _ = run(capsys, "corpus", "show", "xinhua_2020-11-12_sco_stories", "--explain",
                       "--corpus", str(data / "html_en"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("== extraction (trafilatura ") and lines[0].endswith("(15)")
    assert "outside main text: 'Source: Xinhua| 2020-11-12 15:44:58|Editor: huaxia'" in out
    assert "== cleaning: spans removed by the cleaner's rules (1)" in lines
    assert lines[-1].endswith("byline: 'by Xinhua writers Li Laifang, Zhang Xudong and Zheng Xin'")
    code, out, _ = run(capsys, "corpus", "show", "CHN_65_2010", "--explain", "--corpus",
                       str(data / "ungdc_extra.jsonl.gz"), "--columns", "id=doc_id")
    assert code == 0
    assert out.splitlines()[0] == "== reflow: hard-wrapped lines joined into paragraphs; page numbers and codes " \
                                  "removed (2)"
    assert "page_furniture: '10-54827 42'" in out
    code, out, _ = run(capsys, "corpus", "show", "CHN_65_2010", "--corpus", str(data / "ungdc_extra.jsonl.gz"),
                       "--columns", "id=doc_id", "--no-reflow")
    assert code == 0 and len([line for line in out.splitlines() if line.strip()]) == 202  # as in the file
