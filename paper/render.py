"""Fill the generated numbers into the paper sources and, without pandoc, render HTML.

Used by ``paper/build.sh``; run from anywhere::

    python paper/render.py fill OUT_DIR          # OUT_DIR/paper.md, OUT_DIR/manuscript.md
    python paper/render.py html OUT_DIR          # OUT_DIR/*.html (no pandoc needed)

``fill`` replaces every ``{{name}}`` with its value from ``figures/data/numbers.json``
(and the colophon from ``figures/manifest.json``); an unknown name is an error, so the
manuscript can only quote numbers the code generated. Figure paths ``../figures/`` are
rewritten to point at the repository's ``figures/`` from ``OUT_DIR``.
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = ("paper.md", "manuscript.md")


def fill(out: Path) -> None:
    from sco_discourse.compendium import fill_numbers, manuscript_values
    from sco_discourse.outputs import write_text

    values = manuscript_values(ROOT / "figures")
    figures_rel = Path(os.path.relpath(ROOT / "figures", out)).as_posix()
    out.mkdir(parents=True, exist_ok=True)
    for name in SOURCES:
        text = fill_numbers((HERE / name).read_text(encoding="utf-8"), values, source=f"paper/{name}")
        text = text.replace("](../figures/", f"]({figures_rel}/")
        text = re.sub(r"(?m)^bibliography: paper\.bib$", f"bibliography: {(HERE / 'paper.bib').as_posix()}", text)
        write_text(out / name, text)  # whole or not at all
        print(f"filled {out / name}")


# ----------------------------------------------------------------- HTML without pandoc
def _bib_entries(path: Path) -> dict[str, dict[str, str]]:
    entries = {}
    for match in re.finditer(r"@(\w+)\{([^,]+),(.*?)\n\}", path.read_text(encoding="utf-8"), re.S):
        fields = {k.lower(): re.sub(r"[{}]", "", v).strip()
                  for k, v in re.findall(r"(\w+)\s*=\s*\{((?:[^{}]|\{[^{}]*\})*)\}", match.group(3))}
        entries[match.group(2).strip()] = fields
    return entries


def _short(entry: dict[str, str]) -> str:
    authors = [a.strip() for a in entry.get("author", "").split(" and ")]
    family = [a.split(",")[0] if "," in a else a.split()[-1] for a in authors if a]
    who = family[0] + (" et al." if len(family) > 2 else f" & {family[1]}" if len(family) == 2 else "")
    return f"{who}, {entry.get('year', 'n.d.')}"


def _reference(entry: dict[str, str]) -> str:
    parts = [entry.get("author", ""), f"({entry.get('year', 'n.d.')})", entry.get("title", "") + "."]
    venue = entry.get("journal") or entry.get("booktitle") or entry.get("publisher") or ""
    if venue:
        parts.append(f"<i>{html.escape(venue)}</i>.")
    text = " ".join(html.escape(p) if not p.startswith("<i>") else p for p in parts if p)
    if entry.get("doi"):
        doi = html.escape(entry["doi"])
        text += f' <a href="https://doi.org/{doi}">https://doi.org/{doi}</a>'
    elif entry.get("url"):
        text += f' <a href="{html.escape(entry["url"])}">{html.escape(entry["url"])}</a>'
    return text


def to_html(out: Path) -> None:
    import mistune
    import yaml

    from sco_discourse.outputs import write_text

    bib = _bib_entries(HERE / "paper.bib")
    for name in SOURCES:
        text = (out / name).read_text(encoding="utf-8")
        meta = {}
        if text.startswith("---\n"):
            header, text = text[4:].split("\n---\n", 1)
            meta = yaml.safe_load(header) or {}
        cited: list[str] = []

        def cite(match: re.Match) -> str:
            keys = re.findall(r"@([\w:-]+)", match.group(1))
            cited.extend(k for k in keys if k not in cited)
            return "(" + "; ".join(_short(bib[k]) if k in bib else k for k in keys) + ")"

        text = re.sub(r"\[(@[^\]]+)\]", cite, text)
        body = mistune.html(text)
        refs = "".join(f"<li>{_reference(bib[k])}</li>" for k in sorted(cited, key=lambda k: _short(bib.get(k, {})))
                       if k in bib)
        title = html.escape(str(meta.get("title", name)))
        authors = ", ".join(html.escape(str(a.get("name", a))) for a in meta.get("authors", []) if a)
        page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
                "<style>body{max-width:46em;margin:2em auto;font-family:serif;line-height:1.45}"
                "img{max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
                "</style></head><body>\n"
                f"<h1>{title}</h1>\n<p>{authors}</p>\n{body}\n"
                + (f"<h2>References</h2>\n<ol>{refs}</ol>\n" if refs else "") + "</body></html>\n")
        target = out / (Path(name).stem + ".html")
        write_text(target, page)
        print(f"wrote {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("fill", "html"):
        sys.exit("usage: render.py fill|html OUT_DIR")
    {"fill": fill, "html": to_html}[sys.argv[1]](Path(sys.argv[2]).resolve())
