"""Entries per second of the original Python engine (../shared/seed).

Feeds JSONLWriter.write_batch batches of MetricEntry objects built from the
entries the Go exporter wrote for the benchmark batch (same data, metadata,
ids and timestamps), so both engines write the same lines. Prints one line
per measure and a final RESULT line with key=value pairs.

usage: seed_bench.py --seed DIR --entries FILE [--rounds N] [--batch N]

`aiofiles` is the shim beside this file (see aiofiles.py), not the PyPI
package.
"""
import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path


def load_dicts(path, n):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if not rows:
        sys.exit(f"seed_bench: no entries in {path}")
    return [rows[i % len(rows)] for i in range(n)]


def build(mod, d):
    return mod.MetricEntry(
        id=str(uuid.uuid4()),
        timestamp=datetime.fromisoformat(d["timestamp"]),
        type=mod.MetricType(d["type"]),
        session_id=d.get("session_id"),
        user_id=d.get("user_id"),
        data=d["data"],
        metadata=d["metadata"],
    )


async def run(mod, dicts, rounds, out_dir):
    """Returns per-round (wall s, cpu s) for write_batch alone and for
    building the entries plus write_batch."""
    writer = mod.JSONLWriter(Path(out_dir))
    await writer.initialize()
    prebuilt = [build(mod, d) for d in dicts]
    await writer.write_batch(prebuilt)  # warm up: file exists, caches filled
    write_only, build_write = [], []
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        await writer.write_batch(prebuilt)
        write_only.append((time.perf_counter() - w0, time.process_time() - c0))
        w0, c0 = time.perf_counter(), time.process_time()
        await writer.write_batch([build(mod, d) for d in dicts])
        build_write.append((time.perf_counter() - w0, time.process_time() - c0))
    await writer.close()
    return write_only, build_write


def report(name, n, samples):
    wall = statistics.median(n / w for w, _ in samples)
    cpu = statistics.median(n / c for _, c in samples if c > 0)
    print(f"{name:12s} {wall:10.0f} entries/s  {cpu:10.0f} entries/cpu-s  "
          f"(median of {len(samples)} rounds of {n})")
    return wall, cpu


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", required=True, help="directory holding the shannon package")
    p.add_argument("--entries", required=True, help="JSONL file of entries to replay")
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--batch", type=int, default=1000)
    a = p.parse_args()
    sys.path.insert(1, a.seed)  # after this script's dir, which holds the shim
    from shannon.analytics import jsonl_writer as mod
    import aiofiles
    dicts = load_dicts(a.entries, a.batch)
    with tempfile.TemporaryDirectory(prefix="seedbench") as d:
        wo, bw = asyncio.run(run(mod, dicts, a.rounds, d))
    print(f"seed engine, aiofiles shim mode={aiofiles.MODE}, python {sys.version.split()[0]}")
    w1, c1 = report("write_batch", a.batch, wo)
    w2, c2 = report("build+write", a.batch, bw)
    print(f"RESULT mode={aiofiles.MODE} write_per_s={w1:.0f} write_per_cpu_s={c1:.0f} "
          f"build_write_per_s={w2:.0f} build_write_per_cpu_s={c2:.0f}")


if __name__ == "__main__":
    main()
