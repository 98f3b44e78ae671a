"""Run every bench/bench_*.py's main() in one process and print a summary table.

    python bench/run_all.py               # all workloads
    python bench/run_all.py op_overhead   # only scripts whose name contains one of the words
    python bench/run_all.py --single-thread   # both sides on one thread (see harness.py)

Each script's main() returns the dict from harness.compare (or a list of them).
A script that fails is reported in the table; the others still run.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import setup_torch


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(r: dict) -> str:
    torch_us = "-" if r.get("torch_us") is None else f"{r['torch_us']:.1f}"
    ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.2f}x"
    met = {True: "yes", False: "NO", None: "-"}[r.get("met")]
    target = f"<= {r['target']:.2f}x"
    return f"{r['name']:<28s} {r['gn_us']:>12.1f} {torch_us:>12s} {ratio:>8s} {target:>10s} {met:>5s}"


def main(argv: list[str]) -> int:
    torch = setup_torch()
    print(f"torch: {torch.__version__ + ', ' + str(torch.get_num_threads()) + ' threads' if torch else 'not installed'}")
    scripts = sorted(HERE.glob("bench_*.py"))
    words = [a for a in argv if not a.startswith("--")]
    if words:
        scripts = [s for s in scripts if any(word in s.stem for word in words)]
    results, failures = [], []
    for path in scripts:
        print(f"--- {path.name}")
        try:
            out = _load(path).main()
        except Exception:  # noqa: BLE001 - keep going: one broken workload should not hide the others
            traceback.print_exc()
            failures.append(path.name)
            continue
        results.extend(out if isinstance(out, list) else [out] if out else [])

    print()
    print(f"{'workload':<28s} {'gradnote us':>12s} {'torch us':>12s} {'ratio':>8s} {'target':>10s} {'met':>5s}")
    for r in results:
        print(_row(r))
    for name in failures:
        print(f"{name:<28s} FAILED (traceback above)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
