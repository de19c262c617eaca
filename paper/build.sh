#!/usr/bin/env bash
# Build the JOSS paper and the research manuscript from paper/*.md and the generated
# figures and numbers in figures/ (make those first with `sco-discourse figures`).
#
#   paper/build.sh [OUT_DIR]            # default OUT_DIR: paper/build
#   paper/build.sh --install [OUT_DIR]  # first install pandoc and XeLaTeX (Debian/Ubuntu, sudo)
#
# With pandoc and a LaTeX engine: PDF. With pandoc only: standalone HTML. Without pandoc:
# HTML rendered in Python (mistune, installed with Jupyter). Set PYTHON to the Python
# that has sco_discourse installed (default: the repository's .venv, else python3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ "${1:-}" == "--install" ]]; then
  shift
  sudo apt-get update && sudo apt-get install -y --no-install-recommends \
    pandoc texlive-xetex texlive-latex-recommended texlive-fonts-recommended lmodern
fi
OUT="${1:-$HERE/build}"
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
if command -v pandoc >/dev/null 2>&1; then
  for doc in paper manuscript; do
    if [[ -n "$engine" ]]; then
      # LaTeX takes the PDF version of each figure.
      sed -E 's#(\]\([^)]*figures/[A-Za-z0-9_]+)\.svg\)#\1.pdf)#g' "$doc.md" > "$doc.pdf.md"
      pandoc "$doc.pdf.md" --citeproc --pdf-engine="$engine" -o "$doc.pdf"
      rm -f "$doc.pdf.md"
      echo "wrote $OUT/$doc.pdf"
    else
      pandoc "$doc.md" --citeproc --standalone --self-contained -o "$doc.html"
      echo "wrote $OUT/$doc.html (no LaTeX engine found: HTML instead of PDF)"
    fi
  done
else
  echo "pandoc not found: rendering HTML in Python (paper/build.sh --install adds pandoc and LaTeX)"
  "$PYTHON" "$HERE/render.py" html "$OUT"
fi
