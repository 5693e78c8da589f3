"""SFT throughput and peak memory for a model on vma's multi-turn math data (TRL SFTTrainer), per precision.

Run: python benchmarks/sft_throughput.py [--model default] [--batch-sizes 4,8] [--steps 6] [--dtypes fp32,bf16]
                                          [--repeats 1]
Each (dtype, batch size, repeat) runs in its own process, so peak memory (max RSS; peak CUDA memory on a GPU) is its
own; the dtypes alternate within each repeat (fp32, bf16 / bf16, fp32) so that a slower stretch of a shared machine
hits both. `bf16` is SFTParams(dtype='bf16'): TRL's bf16 mixed precision (fp32 master weights, bf16 matmuls).
Tokens/s is the median over steps after the first (warm-up). Writes benchmarks/results/sft_throughput.json and .md.
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path

def child(model:str, bs:int, steps:int, data:str, dtype:str='fp32') -> dict:
    import torch
    from transformers import TrainerCallback
    from vma.sft import SFTParams, make_trainer
    times = []
    class Clock(TrainerCallback):
        def on_step_begin(self, *a, **k): self.t = time.perf_counter()
        def on_step_end(self, *a, **k): times.append(time.perf_counter() - self.t)
    out = tempfile.mkdtemp()
    tr = make_trainer(SFTParams(model_name=model, per_device_train_batch_size=bs, max_steps=steps, logging_steps=1, dtype=dtype,
                                trl=dict(report_to=[], eval_strategy='no')), data, out)
    tr.eval_dataset = None
    tr.add_callback(Clock())
    toks_before = []
    res = tr.train()
    hist = [h for h in tr.state.log_history if 'num_tokens' in h]
    per_step = [b['num_tokens'] - a['num_tokens'] for a, b in zip([{'num_tokens': 0}] + hist, hist)]
    tps = [n / t for n, t in zip(per_step[1:], times[1:])]
    peak = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return dict(dtype=dtype, batch_size=bs, steps=steps, step_seconds=[round(t, 2) for t in times], tokens_per_step=per_step,
                tokens_per_s_median=round(statistics.median(tps), 1), step_seconds_median=round(statistics.median(times[1:]), 2),
                peak_memory_gib=round(peak, 2), memory_kind='cuda max allocated' if torch.cuda.is_available() else 'max RSS')

def data_dir(n:int) -> str:
    from vma.generate import generate
    from vma.sft import build_sft_datasets
    d = Path(tempfile.mkdtemp())
    generate('math', d/'raw', n=n, noise=0.0, progress=False)
    build_sft_datasets(str(d/'raw'), d/'sft')
    return str(d/'sft')

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='default'); ap.add_argument('--batch-sizes', default='4,8')
    ap.add_argument('--steps', type=int, default=6); ap.add_argument('--child', default=None); ap.add_argument('--data', default=None)
    ap.add_argument('--dtypes', default='fp32,bf16'); ap.add_argument('--dtype', default='fp32')
    ap.add_argument('--repeats', type=int, default=1)
    a = ap.parse_args()
    if a.child: print('RESULT ' + json.dumps(child(a.model, int(a.child), a.steps, a.data, a.dtype))); return
    data = data_dir(120)
    res, dts = [], a.dtypes.split(',')
    for r in range(a.repeats):
        for bs in map(int, a.batch_sizes.split(',')):
            for dt in (dts if r % 2 == 0 else dts[::-1]):
                p = subprocess.run([sys.executable, __file__, '--model', a.model, '--steps', str(a.steps), '--child', str(bs),
                                    '--data', data, '--dtype', dt], capture_output=True, text=True)
                line = [l for l in p.stdout.splitlines() if l.startswith('RESULT ')]
                if not line: sys.exit(p.stderr[-3000:])
                res.append(json.loads(line[-1][7:]) | dict(repeat=r)); print(res[-1], flush=True)
    import torch
    from vma.agents.models import bf16_units
    meta = dict(model=a.model, data='vma math multi-turn (scripted, ~590 tokens/example)', torch=torch.__version__,
                threads=torch.get_num_threads(), cpus=os.cpu_count(), cuda=torch.cuda.is_available(), platform=platform.platform(),
                bf16_units=bf16_units(), load_avg_before=round(os.getloadavg()[0], 1))
    out = Path(__file__).parent/'results'; out.mkdir(exist_ok=True)
    (out/'sft_throughput.json').write_text(json.dumps(dict(meta=meta, results=res), indent=1))
    fp32 = {(r['batch_size'], r['repeat']): r['tokens_per_s_median'] for r in res if r['dtype'] == 'fp32'}
    ratio = lambda r: f"{r['tokens_per_s_median'] / fp32[r['batch_size'], r['repeat']]:.2f}x" if fp32.get((r['batch_size'], r['repeat'])) else '–'
    md = (f"# SFT throughput ({a.model}, TRL SFTTrainer, assistant-only loss), fp32 and bf16 mixed precision interleaved\n\n"
          f"bf16 units on this machine: {'yes' if meta['bf16_units'] else 'no'} (so `dtype: auto` picks {'bf16' if meta['bf16_units'] else 'fp32'}).\n\n"
          "| dtype | batch | repeat | tokens/s (median) | vs fp32, same run | s/step (median) | peak memory (GiB) |\n|---|---|---|---|---|---|---|\n"
          + ''.join(f"| {r['dtype']} | {r['batch_size']} | {r['repeat']} | {r['tokens_per_s_median']} | {ratio(r)} | {r['step_seconds_median']} | {r['peak_memory_gib']} ({r['memory_kind']}) |\n" for r in res)
          + f"\n`{json.dumps(meta)}`\n")
    (out/'sft_throughput.md').write_text(md)
    print(md)

if __name__ == '__main__': main()
