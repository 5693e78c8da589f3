"""Whole-episode rollouts of the `hf` policy: today's path against the new one, interleaved in one run.

Old: the `hf` policy of commit 53d827c (a git worktree of it, run in its own process): fp32, each episode's KV
cache kept across turns, batches run one after another, the shared system prompt prefilled once per batch and
copied into every row. New: this checkout's policy with `--dtype` (auto: bf16 where the CPU or GPU has bf16
units, else fp32), one shared block attended to in place, and batches that refill as rows finish.
Both run the same test tasks with the same seed, greedy, all turns of every episode (up to `--max-steps`).

Run: python benchmarks/rollout_silicon.py [--domains tau swe math] [--episodes 64] [--batch-size 64]
                                          [--old-batch-size 16] [--max-steps 4] [--max-new-tokens 64] [--repeats 1]
                                          [--dtype auto] [--first old]
Each path runs with its own default batch size (16 then, 64 now: with one copy of the shared block a row is cheap).
Writes benchmarks/results/rollout_silicon.json and .md. Each (path, domain, repeat) runs in a fresh process;
repeats alternate which path goes first, so a slower stretch of a shared machine hits both; medians over repeats.
"""
import argparse, json, os, platform, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_REF = '53d827c'

def child(a) -> dict:
    "Run one batch of episodes in this process and return its numbers (and every generated token)."
    import torch
    from vma.agents.models import load_model
    from vma.agents.policies import HFPolicy
    from vma.agents.runtime import get_domain, run_episodes
    new = a.child == 'new'
    model, tok = load_model('default', **({'dtype': a.dtype} if new else {}))
    pol = HFPolicy((model, tok), max_new_tokens=a.max_new_tokens, batch_size=a.batch_size if new else a.old_batch_size)
    dom = get_domain(a.domain)
    tasks = dom.load_tasks('test', a.episodes)
    t0 = time.perf_counter()
    trajs = run_episodes([dom.make_env(t) for t in tasks], pol, seed=0, max_steps=a.max_steps)
    dt = time.perf_counter() - t0
    every = [x for t in trajs for x in [t, *t._subagents]]
    ms = [s.metrics for t in every for s in t.steps if s.metrics]
    occ = getattr(pol, 'occupancy', None)
    return dict(seconds=round(dt, 2), episodes=len(trajs), turns=len(ms), dtype=str(model.dtype),
                prompt_tokens=sum(m.prompt_tokens for m in ms),
                prefill_tokens=sum(m.prompt_tokens - (m.extra or {}).get('cached_tokens', 0) for m in ms),
                generated_tokens=sum(m.completion_tokens for m in ms), success=[bool(t.success) for t in trajs],
                occupancy=round(occ['busy'] / occ['slots'], 3) if occ and occ['slots'] else None,
                tokens=[[s.metrics.completion_token_ids for s in t.steps if s.metrics] for t in every])

def base_tree() -> Path:
    "A worktree of the baseline commit under benchmarks/_scratch/base (made once)."
    d = ROOT/'benchmarks'/'_scratch'/'base'
    if not (d/'vma').exists():
        subprocess.run(['git', '-C', str(ROOT), 'worktree', 'add', '-f', str(d), BASE_REF], check=True)
    return d

def run(path:str, domain:str, a) -> dict:
    "One (path, domain) measurement in a fresh process: the old path imports vma from the baseline worktree."
    env = os.environ | {'PYTHONPATH': str(base_tree() if path == 'old' else ROOT), 'TQDM_DISABLE': '1'}
    args = [sys.executable, __file__, '--child', path, '--domain', domain, '--episodes', str(a.episodes),
            '--batch-size', str(a.batch_size), '--old-batch-size', str(a.old_batch_size), '--max-steps', str(a.max_steps),
            '--max-new-tokens', str(a.max_new_tokens), '--dtype', a.dtype]
    p = subprocess.run(args, capture_output=True, text=True, env=env, cwd='/tmp')
    line = [l for l in p.stdout.splitlines() if l.startswith('RESULT ')]
    if not line: sys.exit(f"{path} {domain} failed:\n{p.stderr[-3000:]}")
    return json.loads(line[-1][7:])

def ci95(xs:list) -> tuple[float, float]:
    "A 95% Wilson interval for the success rate of `xs`."
    n, k, z = len(xs), sum(xs), 1.96
    c, h = (k + z*z/2) / (n + z*z), z * (k*(n-k)/n + z*z/4) ** 0.5 / (n + z*z)
    return round(100 * max(0, c - h)), round(100 * min(1, c + h))

def summary(runs:dict) -> dict:
    "Medians over repeats, episodes/minute, tokens/s and the new/old ratios of one domain."
    out = {}
    for k, rs in runs.items():
        s = statistics.median(r['seconds'] for r in rs)
        r0 = rs[0]
        out[k] = dict(seconds=[r['seconds'] for r in rs], seconds_median=s, repeats=len(rs), dtype=r0['dtype'],
                      turns=r0['turns'], prompt_tokens=r0['prompt_tokens'], prefill_tokens=r0['prefill_tokens'],
                      generated_tokens=r0['generated_tokens'], occupancy=r0['occupancy'],
                      episodes_per_min=round(60 * r0['episodes'] / s, 2), tokens_per_s=round(r0['generated_tokens'] / s, 1),
                      success=f"{sum(r0['success'])}/{len(r0['success'])}", success_ci=ci95(r0['success']))
    same = [o['tokens'] == n['tokens'] for o, n in zip(runs['old'], runs['new'])]
    return out | dict(speedup=round(out['new']['episodes_per_min'] / out['old']['episodes_per_min'], 2),
                      greedy_tokens_identical=all(same) if out['old']['dtype'] == out['new']['dtype'] else None)

def markdown(res:dict, meta:dict) -> str:
    m = meta
    head = (f"# Whole-episode rollouts: today's path against the new one ({m['model']}, greedy, {m['episodes']} test "
            f"episodes per domain in batches of {m['old_batch_size']} (old) and {m['batch_size']} (new), at most {m['max_steps']} turns of "
            f"{m['max_new_tokens']} new tokens)\n\n"
            f"Old: commit {BASE_REF}'s `hf` policy (fp32, per-episode KV cache, batch after batch). New: shared block "
            f"attended in place, refilled batches, `--dtype {m['dtype']}`. Medians of {m['repeats']} repeat(s), old "
            "and new interleaved in one run, each in a fresh process.\n\n"
            "| domain | dtype old / new | turns | prefill tokens old / new | s old / new | episodes/min old / new | "
            "tokens/s old / new | **speedup** | occupancy new | success old / new (95% CI) | greedy tokens identical |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n")
    rows = ''.join(
        f"| {d} | {r['old']['dtype'][6:]} / {r['new']['dtype'][6:]} | {r['old']['turns']} / {r['new']['turns']} | "
        f"{r['old']['prefill_tokens']} / {r['new']['prefill_tokens']} | {r['old']['seconds_median']} / "
        f"{r['new']['seconds_median']} | {r['old']['episodes_per_min']} / {r['new']['episodes_per_min']} | "
        f"{r['old']['tokens_per_s']} / {r['new']['tokens_per_s']} | **{r['speedup']}x** | {r['new']['occupancy']} | "
        f"{r['old']['success']} {tuple(r['old']['success_ci'])} / {r['new']['success']} {tuple(r['new']['success_ci'])} | "
        f"{ {True: 'yes', False: 'NO', None: 'n/a (dtypes differ)'}[r['greedy_tokens_identical']]} |\n"
        for d, r in res.items())
    busy = m['load_avg_before'] >= 0.5
    note = (f"\nThe 1-minute load average before the run was {m['load_avg_before']}"
            + (": other jobs shared the CPU, so absolute seconds are noisy; the interleaved ratio less so.\n\n"
               if busy else " (an otherwise idle machine).\n\n"))
    return head + rows + note + f"`{json.dumps(m)}`\n"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--domains', nargs='+', default=['tau', 'swe', 'math'])
    ap.add_argument('--episodes', type=int, default=64)
    ap.add_argument('--batch-size', type=int, default=64); ap.add_argument('--old-batch-size', type=int, default=16)
    ap.add_argument('--max-steps', type=int, default=4); ap.add_argument('--max-new-tokens', type=int, default=64)
    ap.add_argument('--repeats', type=int, default=1); ap.add_argument('--dtype', default='auto')
    ap.add_argument('--first', default='old', choices=['old', 'new'], help='the path that runs first in repeat 0')
    ap.add_argument('--child', default=None); ap.add_argument('--domain', default=None)
    ap.add_argument('--out', default=str(ROOT/'benchmarks'/'results'))
    a = ap.parse_args()
    if a.child: print('RESULT ' + json.dumps(child(a))); return
    import torch
    from vma.agents.models import dtype_name
    t0, res, load0 = time.time(), {}, round(os.getloadavg()[0], 1)
    meta = dict(model='default', episodes=a.episodes, batch_size=a.batch_size, old_batch_size=a.old_batch_size, max_steps=a.max_steps,
                max_new_tokens=a.max_new_tokens, repeats=a.repeats, first=a.first, dtype=a.dtype, auto_chooses=dtype_name('auto'),
                torch=torch.__version__, threads=torch.get_num_threads(), cpus=os.cpu_count(), load_avg_before=load0,
                platform=platform.platform())
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    for d in a.domains:
        runs = {'old': [], 'new': []}
        for r in range(a.repeats):
            for k in (('old', 'new') if (r + (a.first == 'new')) % 2 == 0 else ('new', 'old')):
                runs[k].append(run(k, d, a))
                print(d, r, k, {x: v for x, v in runs[k][-1].items() if x not in ('tokens', 'success')}, flush=True)
        res[d] = summary(runs)
        meta['total_s'] = round(time.time() - t0)
        (out/'rollout_silicon.json').write_text(json.dumps(dict(meta=meta, results=res), indent=1))
        (out/'rollout_silicon.md').write_text(md := markdown(res, meta))
    print(md)

if __name__ == '__main__': main()
