#!/usr/bin/env bash
# Build the JOSS paper and the research manuscript from paper/*.md and the generated
# figures and numbers in figures/ (make those first with `sco-discourse figures`).
#
#   paper/build.sh [OUT_DIR]            # default OUT_DIR: paper/build
#   paper/build.sh --install [OUT_DIR]  # first install pandoc and XeLaTeX (Debian/Ubuntu; sudo unless root)
#   paper/build.sh --html [OUT_DIR]     # HTML rendered in Python, whatever is installed
#
# With pandoc and a LaTeX engine: PDF. With pandoc only: standalone HTML. Without pandoc
# (or with --html): HTML rendered in Python (mistune, installed with Jupyter). Set PYTHON
# to the Python that has sco_discourse installed (default: the repository's .venv, else python3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
install=0; python_html=0; OUT=""
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    --html) python_html=1 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) if [[ -n "$OUT" ]]; then echo "build.sh: one OUT_DIR only, got $OUT and $arg" >&2; exit 2; fi; OUT="$arg" ;;
  esac
done
if [[ "$install" -eq 1 ]]; then
  SUDO=""; if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi  # root (a container) has no sudo
  $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends \
    pandoc texlive-xetex texlive-latex-recommended texlive-fonts-recommended lmodern
fi
OUT="${OUT:-$HERE/build}"
# The Python with sco_discourse installed: $PYTHON, else the README's .venv, else python3.
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$HERE/../.venv/bin/python" ]]; then PYTHON="$HERE/../.venv/bin/python"; else PYTHON=python3; fi
fi
mkdir -p "$OUT"

"$PYTHON" "$HERE/render.py" fill "$OUT"

engine=""
for candidate in xelatex lualatex pdflatex; do
  if command -v "$candidate" >/dev/null 2>&1; then engine="$candidate"; break; fi
done

cd "$OUT"
# The manuscript numbers its figures in the captions ("Figure 1. ..."), as HTML shows
# them; LaTeX must not add numbers of its own.
printf '%s\n' '\usepackage{caption}' '\captionsetup{labelformat=empty}' > captions.tex
if [[ "$python_html" -eq 0 ]] && command -v pandoc >/dev/null 2>&1; then
  for doc in paper manuscript; do
    if [[ -n "$engine" ]]; then
      # LaTeX takes the PDF version of each figure.
      sed -E 's#(\]\([^)]*figures/[A-Za-z0-9_]+)\.svg\)#\1.pdf)#g' "$doc.md" > "$doc.pdf.md"
      pandoc "$doc.pdf.md" --citeproc --pdf-engine="$engine" --include-in-header=captions.tex -o "$doc.pdf"
      rm -f "$doc.pdf.md"
      echo "wrote $OUT/$doc.pdf"
    else
      pandoc "$doc.md" --citeproc --standalone --self-contained -o "$doc.html"
      echo "wrote $OUT/$doc.html (no LaTeX engine found: HTML instead of PDF)"
    fi
  done
else
  if [[ "$python_html" -eq 0 ]]; then
    echo "pandoc not found: rendering HTML in Python (paper/build.sh --install adds pandoc and LaTeX)"
  fi
  "$PYTHON" "$HERE/render.py" html "$OUT"
fi
