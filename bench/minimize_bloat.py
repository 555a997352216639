#!/usr/bin/env python3
"""Makes the minimizer's inputs: a reproducer with noise added around it, as
a fuzzer finds it -- extra threads, operations, tree nodes, preemptions and
faults -- each addition kept only if `dcfuzz replay` still reports the same
title. Deterministic (fixed seed).

    bench/minimize_bloat.py DCFUZZ IN.textproto OUT.textproto [--seed N]

The inputs in bench/minimize_inputs/ were made this way from
corpus/regressions/ (see bench/minimize.sh).
"""
import copy
import random
import re
import subprocess
import sys

OPS = ["LOOKUP", "CREATE", "UNLINK", "MKDIR", "OPEN_CREATE", "RENAME"]
NAMES = ["d", "e", "foo", "Foo", "FOO", "bar", "x", "sub"]


def parse(text):
    """The few fields the bloater edits, from a regression reproducer."""
    s = {"kernel": "V4", "fs": "PLAIN", "tree": [], "threads": [], "preemptions": [], "faults": []}
    text = re.sub(r"#[^\n]*", "", text)
    m = re.search(r"kernel:\s*(\w+)", text)
    s["kernel"] = m.group(1) if m else "MAINLINE"
    m = re.search(r"fs:\s*(\w+)", text)
    s["fs"] = m.group(1) if m else "PLAIN"
    for node in re.findall(r"tree\s*{([^}]*)}", text):
        parent = re.search(r"parent:\s*(\d+)", node)
        s["tree"].append({
            "parent": int(parent.group(1)) if parent else 0,
            "name": re.search(r'name:\s*"([^"]*)"', node).group(1),
            "dir": "dir: true" in node,
            "alias": "disconnected_alias: true" in node,
        })
    for thread in re.findall(r"threads\s*{((?:\s*ops\s*{[^}]*})*)\s*}", text):
        ops = []
        for op in re.findall(r"ops\s*{([^}]*)}", thread):
            kind = re.search(r"op:\s*(\w+)", op)
            path2 = re.search(r'path2:\s*"([^"]*)"', op)
            ops.append({"op": kind.group(1) if kind else "LOOKUP",
                        "path": re.search(r'path:\s*"([^"]*)"', op).group(1),
                        "path2": path2.group(1) if path2 else ""})
        s["threads"].append(ops)
    for step, thread in re.findall(r"preemptions\s*{\s*step:\s*(\d+)\s*thread:\s*(\d+)\s*}", text):
        s["preemptions"].append((int(step), int(thread)))
    for thread, nth in re.findall(r"faults\s*{\s*thread:\s*(\d+)\s*nth:\s*(\d+)\s*}", text):
        s["faults"].append((int(thread), int(nth)))
    return s


def render(s):
    out = ["scenario {", f"  kernel: {s['kernel']}", f"  fs: {s['fs']}"]
    for n in s["tree"]:
        out.append(f'  tree {{ parent: {n["parent"]} name: "{n["name"]}" dir: {str(n["dir"]).lower()}'
                   f' disconnected_alias: {str(n["alias"]).lower()} }}')
    for ops in s["threads"]:
        body = " ".join(f'ops {{ op: {o["op"]} path: "{o["path"]}"'
                        + (f' path2: "{o["path2"]}"' if o["path2"] else "") + " }" for o in ops)
        out.append(f"  threads {{ {body} }}")
    out.append("}")
    for step, thread in sorted(s["preemptions"]):
        out.append(f"preemptions {{ step: {step} thread: {thread} }}")
    for thread, nth in s["faults"]:
        out.append(f"faults {{ thread: {thread} nth: {nth} }}")
    return "\n".join(out) + "\n"


def replay(dcfuzz, s, scratch):
    """(title or None, scheduling steps) of one run of `s`."""
    with open(scratch, "w") as f:
        f.write(render(s))
    r = subprocess.run([dcfuzz, "replay", scratch], capture_output=True, text=True)
    steps = re.search(r"interleaving: (\d+) scheduling steps", r.stdout)
    return (r.stdout.split("\n", 1)[0] if r.returncode == 1 else None,
            int(steps.group(1)) if steps else 0)


def random_op(rng, s):
    names = [n["name"] for n in s["tree"]] + NAMES
    op = {"op": rng.choice(OPS), "path": rng.choice(names), "path2": ""}
    if rng.random() < 0.4:
        op["path"] = rng.choice(names) + "/" + rng.choice(names)
    if op["op"] == "RENAME":
        op["path2"] = rng.choice(names)
    return op


def add_noise(rng, s, steps):
    """Adds one random piece of noise to `s`."""
    kind = rng.choice(["thread", "op", "op", "node", "preemption", "preemption", "fault"])
    if kind == "thread" and len(s["threads"]) < 4:
        s["threads"].append([random_op(rng, s) for _ in range(rng.randint(1, 3))])
    elif kind == "op":
        t = rng.randrange(len(s["threads"]))
        if len(s["threads"][t]) < 3:
            s["threads"][t].insert(rng.randint(0, len(s["threads"][t])), random_op(rng, s))
    elif kind == "node" and len(s["tree"]) < 7:
        s["tree"].append({"parent": 0, "name": rng.choice(NAMES) + rng.choice(["", "2", "x"]),
                          "dir": rng.random() < 0.5, "alias": False})
    elif kind == "preemption" and len(s["preemptions"]) < 5:
        s["preemptions"].append((rng.randrange(max(steps, 1)), rng.randint(1, len(s["threads"]))))
    elif kind == "fault" and len(s["faults"]) < 2:
        s["faults"].append((rng.randint(0, len(s["threads"])), rng.randint(3, 9)))


def main():
    args = sys.argv[1:]
    seed = 1
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    dcfuzz, src, dst = args
    rng = random.Random(seed)
    s = parse(open(src).read())
    scratch = dst + ".scratch"
    want, steps = replay(dcfuzz, s, scratch)
    assert want, f"{src} does not reproduce"
    for _ in range(150):
        candidate = copy.deepcopy(s)
        add_noise(rng, candidate, steps)
        # A preemption must not share a step with another.
        taken = [p[0] for p in candidate["preemptions"]]
        if len(taken) != len(set(taken)):
            continue
        got, candidate_steps = replay(dcfuzz, candidate, scratch)
        if got == want:
            s, steps = candidate, candidate_steps
    with open(dst, "w") as f:
        f.write(f"# {want}\n# {src.rsplit('/', 1)[-1]} with noise (bench/minimize_bloat.py, seed {seed})\n")
        f.write(render(s))
    subprocess.run(["rm", "-f", scratch])


if __name__ == "__main__":
    main()
