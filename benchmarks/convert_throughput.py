"""Convert throughput: `vma convert` on N ATIF files vs the old system's converter on N Format A files.

Run: python benchmarks/convert_throughput.py [--sizes 1000 10000] [--repeats 3]
Writes benchmarks/results/convert_throughput.json and .md. Each run is a fresh subprocess (imports included), timed by
wall clock and by the child's CPU time (user + system, from os.wait4); medians over repeats, all in one run.
Children run with bytecode caching on (in a temporary PYTHONPYCACHEPREFIX, after one untimed warm-up run of each
converter), as an installed package would be: with PYTHONDONTWRITEBYTECODE set, an editable install recompiles vma's
modules on every start. `--no-bytecode-cache` keeps the environment as it is.

The old system's code is not available here. The baseline is `OLD_CONVERTER` below: a minimal re-implementation of
its semantics as DESIGN.md describes them (json.load a Format A record, map its actions to steps, json.dump), with no
validation and no imports beyond the standard library. It is a lower bound on what the old converter cost.
"""
import argparse, json, os, platform, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = next(p for p in (ROOT.parent/'shared'/'seed-samples', ROOT/'data'/'seed-samples') if p.exists())

OLD_CONVERTER = r'''
import json, sys, glob, os
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for f in sorted(glob.glob(os.path.join(src, '**', '*.json'), recursive=True)):
    with open(f) as fh: rec = json.load(fh)
    steps = [{'step': a.get('step', i), 'tool': a.get('tool', 'unknown'), 'input': a.get('input'), 'output': a.get('output')}
             for i, a in enumerate(rec.get('actions', []), 1)]
    d = {'task_id': rec.get('task_id'), 'domain': rec.get('domain'), 'question': rec.get('question'), 'steps': steps,
         'final_answer': rec.get('final_answer'), 'reward': rec.get('reward'), 'success': rec.get('success')}
    with open(os.path.join(out, os.path.basename(f)), 'w') as fh: json.dump(d, fh)
'''

def seed_a_records() -> list[dict]:
    "The seed's Format A samples (records with `actions`)."
    recs = [json.loads(p.read_text()) for d in ('raw', 'unified') for p in sorted((SEEDS/d).rglob('*.json'))]
    return [r for r in recs if isinstance(r, dict) and 'actions' in r]

def make_inputs(tmp:Path, n:int, recs:list[dict]) -> tuple[Path, Path]:
    "`n` Format A files and the `n` ATIF files vma makes of the same records (distinct task ids, so distinct outputs)."
    from vma.convert import convert_record
    fa, atif = tmp/f"format-a-{n}", tmp/f"atif-{n}"
    fa.mkdir(); atif.mkdir()
    base = [(r, convert_record(r)[1].dump()) for r in recs]
    for i in range(n):
        a, t = base[i % len(base)]
        a = dict(a, task_id=f"{a.get('task_id')}-{i}")
        t = dict(t, session_id=f"{t['session_id']}-{i}", extra=dict(t.get('extra', {}), task_id=a['task_id']))
        (fa/f"{i:05d}.json").write_text(json.dumps(a))
        (atif/f"{i:05d}.json").write_text(json.dumps(t))
    return fa, atif

def timed(cmd:list[str], env:dict|None=None) -> tuple[float, float]:
    "Wall seconds and the child's CPU seconds (user + system) of one run of `cmd`."
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0: raise SystemExit(f"failed: {' '.join(cmd)}\n{p.stderr.read().decode()[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime

def bench(cmds:dict, srcs:dict, tmp:Path, repeats:int, env:dict|None=None) -> dict:
    "Per converter, medians of wall and CPU seconds over `repeats` runs; the converters alternate run by run."
    runs = {m: [] for m in cmds}
    for k in range(repeats):
        for m, cmd_of in cmds.items():
            out = tmp/f"out-{k}"
            runs[m].append(timed(cmd_of(srcs[m], out), env))
            shutil.rmtree(out)
    return {m: dict(wall_s=[round(w, 3) for w, _ in r], cpu_s=[round(c, 3) for _, c in r],
                    wall_median=round(statistics.median(w for w, _ in r), 3), cpu_median=round(statistics.median(c for _, c in r), 3))
            for m, r in runs.items()}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', type=int, nargs='+', default=[1000, 10000]); ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--no-bytecode-cache', action='store_true', help='run the children in the environment as it is')
    a = ap.parse_args()
    vma = shutil.which('vma', path=str(Path(sys.executable).parent)) or 'vma'
    cmds = {'vma convert (ATIF in)': lambda s, o: [vma, 'convert', str(s), '--out-dir', str(o)],
            'old converter, re-implemented (Format A in)': lambda s, o: [sys.executable, '-c', OLD_CONVERTER, str(s), str(o)]}
    recs, res, load0 = seed_a_records(), {}, os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        tmp, env = Path(d), None
        if not a.no_bytecode_cache:
            env = {k: v for k, v in os.environ.items() if k != 'PYTHONDONTWRITEBYTECODE'}
            env['PYTHONPYCACHEPREFIX'] = str(tmp/'pyc')
        for n in a.sizes:
            fa, atif = make_inputs(tmp, n, recs)
            srcs = {'vma convert (ATIF in)': atif, 'old converter, re-implemented (Format A in)': fa}
            if n == a.sizes[0] and env: bench(cmds, srcs, tmp, 1, env)  # warm-up: writes the bytecode caches, untimed
            res[n] = bench(cmds, srcs, tmp, a.repeats, env)
            for v in res[n].values(): v['files'] = n
            r = res[n]
            new, old = r['vma convert (ATIF in)'], r['old converter, re-implemented (Format A in)']
            r['ratio_cpu'], r['ratio_wall'] = round(new['cpu_median'] / old['cpu_median'], 2), round(new['wall_median'] / old['wall_median'], 2)
            print(n, json.dumps(r))
    load1 = os.getloadavg()[0]
    lo, hi = min(a.sizes), max(a.sizes)
    lin = {m: round((res[hi][m]['cpu_median'] / hi) / (res[lo][m]['cpu_median'] / lo), 2) for m in cmds}
    meta = dict(sizes=a.sizes, repeats=a.repeats, seed_records=len(recs), python=platform.python_version(), cpus=os.cpu_count(),
                platform=platform.platform(), bytecode_cache=env is not None,
                loadavg_start=round(load0, 2), loadavg_end=round(load1, 2),
                baseline='re-implementation of the old converter (see OLD_CONVERTER in the script)')
    out = Path(__file__).parent/'results'; out.mkdir(exist_ok=True)
    (out/'convert_throughput.json').write_text(json.dumps(dict(meta=meta, results=res, cpu_per_file_ratio_hi_over_lo=lin), indent=1))
    rows = ''.join(f"| {n} | {m} | {v['cpu_median']} | {v['wall_median']} | {round(1000 * v['cpu_median'] / n, 3)} |\n"
                   for n, r in res.items() for m, v in r.items() if isinstance(v, dict))
    md = (f"# Convert throughput ({' and '.join(map(str, a.sizes))} files, median of {a.repeats} runs each)\n\n"
          "Each run is a fresh subprocess, imports included. CPU is the child's user + system time. " +
          ("Bytecode caching was on for both converters (one untimed warm-up run each), as for an installed "
           "package.\n\n"
           if env else "The environment was left as it is (no bytecode cache forced).\n\n") +
          "| files | converter | CPU s | wall s | CPU ms/file |\n|---|---|---|---|---|\n" + rows +
          "\n| files | vma / old, CPU | vma / old, wall |\n|---|---|---|\n" +
          ''.join(f"| {n} | {r['ratio_cpu']} | {r['ratio_wall']} |\n" for n, r in res.items()) +
          f"\nLinearity (CPU per file at {hi} over CPU per file at {lo}; 1.0 is linear): " +
          ', '.join(f"{m}: {v}" for m, v in lin.items()) + ".\n\n"
          "**The baseline is not the old system's code**, which is not available here. It is a minimal re-implementation "
          "of its semantics as DESIGN.md describes them (json.load each Format A record, map its actions to steps, "
          "json.dump), standard library only, with no validation: a lower bound on the old converter's cost. vma's "
          f"converter reads the same records as ATIF (made by vma from the same {len(recs)} seed Format A samples), "
          "validates each against the full ATIF models, checks size and nesting depth before parsing, and writes the "
          "current ATIF version.\n\n"
          f"Load average at the start and the end of the run: {load0:.2f} and {load1:.2f} ({os.cpu_count()} CPUs); "
          "both converters ran in the same benchmark run, alternating run by run.\n")
    (out/'convert_throughput.md').write_text(md)
    print(md)

if __name__ == '__main__': main()
