"""Rewrite each stage notebook's papermill `parameters` cell from its params dataclass (`vma.agents.settings`).

Run after changing a stage's dataclass, then `nbdev-clean`: `python tools/params_cells.py [--check]`."""
import json, sys
from pathlib import Path
from vma.pipeline import SECTIONS, stage_class
from vma.agents.settings import params_cell

def main(check=False) -> int:
    stale = []
    for section, stage in SECTIONS.items():
        path = Path(__file__).resolve().parents[1]/'nbs'/f"{stage}.ipynb"
        nb = json.loads(path.read_text())
        cell = next(c for c in nb['cells'] if 'parameters' in c['metadata'].get('tags', []))
        want = params_cell(stage_class(section))
        if ''.join(cell['source']) == want: continue
        stale.append(str(path))
        if not check:
            cell['source'] = want.splitlines(True)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    for p in stale: print(f"{p}: parameters cell {'out of date' if check else 'rewritten'}")
    return 1 if check and stale else 0

if __name__ == '__main__': sys.exit(main('--check' in sys.argv))
