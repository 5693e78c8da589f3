"""Wrap code lines over 120 characters in notebooks' code cells, without changing what the code means.

Run: python tools/wrap_lines.py nbs/X.ipynb [...] [--width 120] [--check]
A long line is split after the last comma (or before the last binary `and`/`or`/`+`/`|`) that lies inside brackets
and before the width; the rest goes on a new line under the innermost open bracket. A cell is changed only if its
AST stays the same. Lines that cannot be split that way (a long string, a long comment) are listed, not touched.
`--check` changes nothing and exits 1 if any line is too long.
"""
import argparse, ast, io, json, sys, tokenize
from pathlib import Path

def _split_point(line:str, width:int) -> tuple[int, int]|None:
    "(column to cut at, indent of the continuation) for one logical-line-free physical line, or None."
    try: toks = list(tokenize.generate_tokens(io.StringIO(line + '\n').readline))
    except (tokenize.TokenError, IndentationError, SyntaxError): return None
    stack, best = [], None
    for t in toks:
        if t.type == tokenize.OP and t.string in '([{': stack.append(t.end[1])
        elif t.type == tokenize.OP and t.string in ')]}':
            if stack: stack.pop()
        elif stack and t.end[1] < width:
            if t.type == tokenize.OP and t.string == ',': best = (t.end[1], stack[-1])
            elif (t.type == tokenize.NAME and t.string in ('and', 'or', 'if', 'else', 'for')) or \
                 (t.type == tokenize.OP and t.string in ('+', '|')):
                if t.start[1] > stack[-1] + 8: best = (t.start[1], stack[-1])
    return best

def _parses(src:str):
    try: return ast.dump(ast.parse(src))
    except SyntaxError: return None

def _wrapped(line:str, width:int) -> list[str]:
    "`line` as several lines, split where `_split_point` says, as long as it is too long and can be split."
    out = []
    while len(line) > width and (cut := _split_point(line, width)) and cut[0] < len(line.rstrip()):
        head, tail = line[:cut[0]].rstrip(), line[cut[0]:].strip()
        if not tail or tail.startswith('#'): break
        out.append(head); line = ' ' * cut[1] + tail
    return out + [line]

def wrap_source(src:str, width:int=120) -> tuple[str, list[str]]:
    "The cell source with long lines wrapped where that keeps its AST, and the long lines left."
    tree, lines = _parses(src), src.split('\n')
    if tree is None: return src, [l for l in lines if len(l) > width]
    for i in reversed(range(len(lines))):
        if len(lines[i]) <= width: continue
        trial = lines[:i] + _wrapped(lines[i], width) + lines[i+1:]
        if _parses('\n'.join(trial)) == tree: lines = trial
    return '\n'.join(lines), [l for l in lines if len(l) > width]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('notebooks', nargs='+'); ap.add_argument('--width', type=int, default=120)
    ap.add_argument('--check', action='store_true')
    a = ap.parse_args()
    bad = 0
    for p in map(Path, a.notebooks):
        nb = json.loads(p.read_text())
        changed = False
        for c in nb['cells']:
            if c['cell_type'] != 'code': continue
            src = ''.join(c['source'])
            new, left = (src, [l for l in src.splitlines() if len(l) > a.width]) if a.check else wrap_source(src, a.width)
            for l in left: print(f"{p}: {len(l)} chars: {l.strip()[:80]}...", file=sys.stderr)
            bad += len(left)
            if new != src: c['source'] = new.splitlines(True); changed = True
        if changed: p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    sys.exit(1 if a.check and bad else 0)

if __name__ == '__main__': main()
