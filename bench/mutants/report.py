#!/usr/bin/env python3
"""The mutation benchmark's table, from bench/mutants.sh's results.tsv.

  report.py MUTANT_DIR RESULTS_TSV TIME SEEDS BUDGET

A campaign catches its mutant when its first finding has a title the
unmutated tree's campaigns (the `baseline` rows) did not give. A strategy
catches a mutant when it does so in a majority of the campaigns it ran
(bench/mutants.sh runs no more after a miss or past the mutant's budget);
its median over them is then finite (a miss counts as infinitely many
executions). The
catchable mutants are those some strategy catches in some seed. A campaign
that crashed (a `crashed` row) counts neither way; the report lists it.
"""
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutant  # noqa: E402

INF = math.inf


def median(values):
    values = sorted(values)
    return values[(len(values) - 1) // 2] if values else INF  # the lower median: a miss stays a miss


def upper_median(values):
    # Over the mutants: with an even count, the higher of the two middle
    # ratios, so the goal is met only when at least half are at most 1/2.
    values = sorted(values)
    return values[len(values) // 2] if values else INF


def fmt_execs(x):
    if x == INF:
        return "-"
    return f"{x / 1000:.1f}k" if x >= 10000 else str(int(x))


def main(argv):
    mutant_dir, results_path, time, seeds, budget = argv[1], argv[2], argv[3], int(argv[4]), argv[5]
    rows = []
    with open(results_path, encoding="utf-8") as f:
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) == 10:
                rows.append(cells)
    strategies = []
    for r in rows:
        if r[1] not in strategies:
            strategies.append(r[1])
    baseline_titles = {r[9] for r in rows if r[0] == "baseline" and r[3] == "yes"}
    headers = {}
    for path in mutant.mutants_in(mutant_dir):
        h, _ = mutant.parse(path)
        headers[h["name"]] = h
    names = [n for n in headers if any(r[0] == n for r in rows)]

    # (name, strategy) -> list of (caught, executions, seconds, threads, preemptions, faults, title)
    runs = {}
    for r in rows:
        if r[0] == "baseline" or r[3] in ("skipped", "crashed"):  # out of the medians
            continue
        caught = r[3] == "yes" and r[9] not in baseline_titles
        entry = (caught, float(r[5]) if caught else INF, float(r[4]) if caught else INF,
                 r[6], r[7], r[8], r[9] if r[3] == "yes" else "")
        runs.setdefault((r[0], r[1]), []).append(entry)

    out = []
    p = out.append
    p(f"Mutation benchmark: {len(names)} mutants, kernel mainline, strategies {', '.join(strategies)}; "
      f"campaigns of {time} s stopped at the first finding, {seeds} seeds, {budget} s per mutant")
    base = [r for r in rows if r[0] == "baseline"]
    p(f"baseline (unmutated tree): {len(base)} campaigns, "
      + ("no findings" if not baseline_titles else "findings: " + "; ".join(sorted(baseline_titles))))
    p("")
    p("cells: seeds caught/run, median executions to the finding (median seconds); "
      "reproducer: threads/preemptions/faults of the shallowest minimized catch (deep: 3 threads, "
      "2 preemptions or a fault); [measured ...]: the file's depth disagrees with it")
    head = f"{'mutant':38} {'depth':7}" + "".join(f" {s:>20}" for s in strategies) + "  reproducer  title"
    p(head)
    medians = {}
    caught_by = {}
    for name in names:
        h = headers[name]
        depth = h["depth"].split()[0]
        cells = []
        titles = []
        shapes = []
        for s in strategies:
            es = runs.get((name, s), [])
            n = sum(1 for e in es if e[0])
            m_ex = median([e[1] for e in es]) if es else INF
            m_s = median([e[2] for e in es]) if es else INF
            medians[(name, s)] = m_ex
            caught_by[(name, s)] = (n, len(es))
            cell = f"{n}/{len(es)} {fmt_execs(m_ex)}" + (f" ({m_s:.1f}s)" if m_s != INF else "")
            cells.append(f" {cell:>20}")
            for e in es:
                if e[0]:
                    titles.append(e[6])
                    try:
                        shapes.append((int(e[3]), int(e[4]), int(e[5])))
                    except ValueError:
                        pass
        # The shallowest catch: the fewest faults, then preemptions, then threads.
        shape = min(shapes, key=lambda x: (x[2], x[1], x[0])) if shapes else None
        shape_text = f"{shape[0]}t/{shape[1]}p/{shape[2]}f" if shape else "-"
        title = max(set(titles), key=titles.count) if titles else "(not caught)"
        measured = ""
        if shape:
            deep_shape = shape[0] >= 3 or shape[1] >= 2 or shape[2] >= 1
            if deep_shape != (depth == "deep"):
                measured = " [measured " + ("deep" if deep_shape else "shallow") + "]"
        p(f"{name:38} {depth:7}" + "".join(cells) + f"  {shape_text:10}  {title}{measured}")
        headers[name]["_shape"] = shape
    p("")

    catchable = [n for n in names if any(caught_by[(n, s)][0] > 0 for s in strategies)]
    p(f"catchable: {len(catchable)} of {len(names)} mutants (caught by some strategy in some seed)")
    p("mutation score (caught in a majority of seeds / catchable):")
    scores = {}
    for s in strategies:
        k = sum(1 for n in catchable if medians[(n, s)] != INF)
        scores[s] = k / len(catchable) if catchable else 0
        any_seed = sum(1 for n in catchable if caught_by[(n, s)][0] > 0)
        p(f"  {s:12} {k}/{len(catchable)} = {100 * scores[s]:.0f}%   (in any seed: {any_seed})")
    p("")

    deep = [n for n in names if headers[n]["depth"].startswith("deep")]
    p(f"deep mutants ({len(deep)} of {len(names)}): median executions per strategy; "
      "ratio = fuzz / best of random-walk and pct")
    ratios = []
    for n in deep:
        line = f"  {n:38}" + "".join(f" {s}={fmt_execs(medians[(n, s)])}" for s in strategies if (n, s) in medians)
        f_ex = medians.get((n, "fuzz"), INF)
        best = min(medians.get((n, "random-walk"), INF), medians.get((n, "pct"), INF))
        if f_ex != INF and best != INF:
            ratios.append(f_ex / best)
            line += f"  ratio {f_ex / best:.2f}"
        elif f_ex != INF:
            ratios.append(0.0)
            line += "  ratio 0 (only fuzz catches it)"
        elif best != INF:
            ratios.append(INF)
            line += "  ratio inf (fuzz misses it)"
        shape = headers[n].get("_shape")
        if shape and shape[0] < 3 and shape[1] < 2 and shape[2] == 0:
            line += "  [depth not confirmed: a minimized catch is shallow]"
        p(line)
    if ratios:
        p(f"  median ratio over the deep mutants caught by some strategy: {upper_median(ratios):.2f}"
          f" (the lower middle: {median(ratios):.2f})")
        p(f"  deep mutants where fuzz needs at most half: {sum(1 for r in ratios if r <= 0.5)}/{len(ratios)}")
    p("")

    p("goals (issue 16 item 4):")
    if "fuzz" in scores:
        p(f"  fuzz catches >= 95% of the catchable: {100 * scores['fuzz']:.0f}% -> "
          + ("met" if scores["fuzz"] >= 0.95 else "NOT met"))
    if ratios:
        mr = upper_median(ratios)
        p(f"  deep third, fuzz <= 1/2 the executions of the best of random-walk and pct (median ratio): "
          f"{mr:.2f} -> " + ("met" if mr <= 0.5 else "NOT met"))
    p("")
    uncaught = [n for n in names if n not in catchable]
    p(f"not caught by any strategy ({len(uncaught)}):")
    for n in uncaught:
        expect = headers[n]["expect"]
        if not expect.startswith("uncaught"):
            # Its file expects it caught: this run missed it (too short, too few seeds).
            expect = f"expected {expect}, missed by every strategy in this run"
        p(f"  {n}: {expect}")
    crashed = [r for r in rows if r[0] != "baseline" and r[3] == "crashed"]
    if crashed:
        p(f"campaigns that crashed, counted neither way ({len(crashed)}): "
          + ", ".join(f"{r[0]} {r[1]} seed {r[2]}" for r in crashed))
    surprises = [n for n in catchable if headers[n]["expect"].startswith("uncaught")]
    for n in surprises:
        p(f"  (expected uncaught but caught: {n})")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
