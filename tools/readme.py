"""Write README.md from nbs/index.ipynb (its markdown cells, in order). nbdev-readme needs Quarto, which this project
does not install; this does the same for a notebook of markdown cells. `--check` exits 1 if README.md is out of date."""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
text = '\n\n'.join(''.join(c['source']).strip() for c in nb['cells'] if c['cell_type'] == 'markdown') + '\n'
text = '<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file -->\n\n' + text
readme = root/'README.md'
if '--check' in sys.argv:
    if not readme.exists() or readme.read_text() != text: sys.exit('README.md is out of date: run python tools/readme.py')
else: readme.write_text(text)
