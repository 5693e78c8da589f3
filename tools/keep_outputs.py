#!/usr/bin/env python
"""Run notebooks the way `nbdev-test` does (cells flagged `slow` skipped) and keep their outputs in place.

Usage: python tools/keep_outputs.py nbs/03_rewards.ipynb [more.ipynb ...]

Kept outputs are the chapter's proof for a reader. Machine state is not: stderr (warnings, progress bars) is
dropped, so is the plain text of an output that also has a markdown or HTML view, and an output that shows a
machine path stops the run, naming the cell, so the cell can be fixed."""
import os, re, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.test import nb_test_cells

MACHINE = re.compile(r'/(?:work|tmp|root|home)/|\.venv/|site-packages')

def _text(o) -> str:
    return ''.join(o.get('text', '')) + ''.join(''.join(v) for k, v in (o.get('data') or {}).items()
                                                   if k.startswith('text/'))

def keep_outputs(path:Path):
    "Execute `path` (tests included, `slow` skipped) and write it back with its outputs."
    path = path.resolve()
    nb = read_nb(path)
    run = {c.source for c in nb_test_cells(path, skip_flags=['slow', 'notest'])}
    sh = CaptureShell()
    sh.set_path(path.parent.resolve())
    ran = read_nb(path)
    here = os.getcwd(); os.chdir(path.parent)   # nbdev-test's cwd: the notebook's folder
    try: sh.run_all(ran, exc_stop=True, preproc=lambda c: c.cell_type != 'code' or c.source not in run)
    finally: os.chdir(here)
    for cell, done in zip(nb.cells, ran.cells):
        if cell.cell_type != 'code': continue
        outs = [o for o in done.get('outputs', []) if not (o.get('output_type') == 'stream' and o.get('name') == 'stderr')]
        for o in outs:
            if MACHINE.search(_text(o)):
                sys.exit(f"{path}: cell {cell.source.splitlines()[0][:60]!r} shows a machine path: "
                         f"{MACHINE.search(_text(o)).group(0)!r}; print something that does not")
        for o in outs:   # a rich view (markdown, HTML) makes the plain repr, which may carry timestamps, redundant
            data = o.get('data') or {}
            if 'text/plain' in data and ({'text/markdown', 'text/html'} & data.keys()): del data['text/plain']
        cell['outputs'] = outs
    write_nb(nb, path)

if __name__ == '__main__':
    for p in sys.argv[1:]: keep_outputs(Path(p)); print(f"kept outputs: {p}")
