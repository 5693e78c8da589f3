"""Rollouts of the `hf` policy with and without its KV cache: τ and swe episodes, old and new path interleaved.

Old: every turn prefills its whole prompt (`HFPolicy(kv_cache=False)`, HF `generate` on left-padded batches).
New: each episode keeps its KV cache across turns and prefills only the tokens added since its last turn
(`kv_cache=True`, the default). Both stop a turn at the end of its tool call, so their greedy tokens can be
compared one for one.

Run: python benchmarks/rollout_kv_cache.py [--model default] [--domains tau swe] [--episodes 2] [--max-steps 4]
                                          [--max-new-tokens 48] [--repeats 3]
Writes benchmarks/results/rollout_kv_cache.json and .md. Repeats alternate the order (old, new / new, old) so
that a slower or faster stretch of a shared machine hits both paths; medians over repeats.
"""
import argparse, json, os, platform, statistics, time
from pathlib import Path
import torch
from vma.agents.models import load_model
from vma.agents.policies import HFPolicy
from vma.agents.runtime import get_domain, run_episodes

def run(policy, domain:str, tasks, max_steps:int) -> dict:
    "Wall time, token counts and every generated token of one batch of episodes."
    dom = get_domain(domain)
    t0 = time.perf_counter()
    trajs = run_episodes([dom.make_env(t) for t in tasks], policy, seed=0, max_steps=max_steps)
    dt = time.perf_counter() - t0
    every = [x for t in trajs for x in [t, *t._subagents]]
    ms = [s.metrics for t in every for s in t.steps if s.metrics]
    return dict(seconds=round(dt, 2), turns=len(ms), prompt_tokens=sum(m.prompt_tokens for m in ms),
                prefill_tokens=sum(m.prompt_tokens - (m.extra or {}).get('cached_tokens', 0) for m in ms),
                generated_tokens=sum(m.completion_tokens for m in ms),
                tokens=[[s.metrics.completion_token_ids for s in t.steps if s.metrics] for t in every])

def bench(model, tok, domain:str, a, save=None) -> dict:
    "Old and new path on the same episodes, `a.repeats` times, alternating which goes first."
    tasks = get_domain(domain).load_tasks('test', a.episodes)
    pols = {k: HFPolicy((model, tok), max_new_tokens=a.max_new_tokens, kv_cache=k == 'new') for k in ('old', 'new')}
    runs = {'old': [], 'new': []}
    for r in range(a.repeats):
        for k in (('old', 'new') if r % 2 == 0 else ('new', 'old')):
            runs[k].append(run(pols[k], domain, tasks, a.max_steps))
            print(domain, r, k, {x: v for x, v in runs[k][-1].items() if x != 'tokens'}, flush=True)
        if save: save(summary(runs, a))  # what is done so far, in case the run is cut short
    return summary(runs, a)

def summary(runs:dict, a) -> dict:
    "Medians and ratios over the repeats done so far."
    med = lambda k, f: statistics.median(x[f] for x in runs[k])
    same = all(o['tokens'] == n['tokens'] for o, n in zip(runs['old'], runs['new']))
    out = {k: dict(seconds=[x['seconds'] for x in v], seconds_median=med(k, 'seconds'), repeats=len(v),
                   turns=v[0]['turns'], prompt_tokens=v[0]['prompt_tokens'], prefill_tokens=v[0]['prefill_tokens'],
                   generated_tokens=v[0]['generated_tokens']) for k, v in runs.items()}
    speedup = round(out['old']['seconds_median'] / out['new']['seconds_median'], 2)
    return out | dict(episodes=a.episodes, speedup=speedup,
                      prefill_ratio=round(out['old']['prefill_tokens'] / max(out['new']['prefill_tokens'], 1), 2),
                      greedy_tokens_identical=same)

def markdown(res:dict, meta:dict) -> str:
    a = meta
    head = (f"# Rollouts with and without the KV cache ({a['model']}, greedy, {a['episodes']} test episodes "
            f"per domain, at most {a['max_steps']} turns of {a['max_new_tokens']} new tokens)\n\n"
            "Old: every turn prefills its whole prompt. New: each episode keeps its KV cache and prefills only what "
            "is new. Both end a turn at its `</tool_call>`. Wall time per batch of episodes, median of "
            f"{a['repeats']} repeats, old and new interleaved in one run.\n\n"
            "| domain | turns | prefill tokens old | prefill tokens new | prefill ratio | s old | s new | speedup | "
            "greedy tokens identical |\n|---|---|---|---|---|---|---|---|---|\n")
    rows = ''.join(f"| {d} | {r['old']['turns']} | {r['old']['prefill_tokens']} | {r['new']['prefill_tokens']} | "
                   f"{r['prefill_ratio']}x | {r['old']['seconds_median']} | {r['new']['seconds_median']} | "
                   f"**{r['speedup']}x** | {'yes' if r['greedy_tokens_identical'] else 'NO'} |\n"
                   for d, r in res.items())
    done = {d: r['old']['repeats'] for d, r in res.items() if r['old']['repeats'] < a['repeats']}
    if done: rows += f"\nCut short: repeats done per domain {done} (of {a['repeats']}).\n"
    busy = a.get('load_avg_before', 1.0) >= 0.5  # the 1-minute load average before the first episode
    note = ("\nMeasured on a shared machine (other jobs were running on its CPUs): absolute seconds are noisy, "
            "the interleaved ratio less so.\n\n" if busy else
            f"\nMeasured on an otherwise idle machine (1-minute load average {a['load_avg_before']} before the run).\n\n")
    return head + rows + note + f"`{json.dumps(meta)}`\n"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='default'); ap.add_argument('--domains', nargs='+', default=['tau', 'swe'])
    ap.add_argument('--episodes', type=int, default=2); ap.add_argument('--max-steps', type=int, default=4)
    ap.add_argument('--max-new-tokens', type=int, default=48); ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'))
    a = ap.parse_args()
    model, tok = load_model(a.model)
    t0, res, out, load0 = time.time(), {}, Path(a.out), round(os.getloadavg()[0], 1)
    def save(part=None, domain=None):
        if part: res[domain] = part
        meta = dict(model=a.model, episodes=a.episodes, max_steps=a.max_steps, max_new_tokens=a.max_new_tokens,
                    repeats=a.repeats, total_s=round(time.time() - t0), torch=torch.__version__,
                    threads=torch.get_num_threads(), cpus=os.cpu_count(), load_avg_before=load0,
                    platform=platform.platform(), device=str(model.device))
        out.mkdir(parents=True, exist_ok=True)
        (out/'rollout_kv_cache.json').write_text(json.dumps(dict(meta=meta, results=res), indent=1))
        (out/'rollout_kv_cache.md').write_text(md := markdown(res, meta))
        return md
    for d in a.domains: save(bench(model, tok, d, a, save=lambda part, d=d: save(part, d)), d)
    print(save())

if __name__ == '__main__': main()
