#!/usr/bin/env python3
"""The mutants of bench/mutants/*.mutant: parse, apply to a scratch copy of
the tree, and check that each still applies and compiles.

A mutant file is a header of `key: value` lines (name, kernel, depth, kind,
mistake, expect, and free-form `why` lines), then one or more edits:

    @@ find core/dcache.cc
    <exact text, one or more lines>
    @@ replace
    <its replacement>
    @@ end

Applying fails loudly (exit 2, one line) unless every find text occurs
exactly once in its file (after the edits before it). Edits may touch only
.cc files of the tree (the unit test compiles those alone).

  mutant.py list DIR                    names, one a line
  mutant.py field FILE KEY              one header value
  mutant.py apply FILE TREE             apply FILE's edits to TREE (a scratch copy)
  mutant.py sync TREE COPY              make COPY hold TREE's files, rewriting only those that differ
  mutant.py check DIR SRC BUILD         apply each mutant in memory, compile the changed
                                        files with -fsyntax-only and BUILD's compile flags
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

REQUIRED = ("name", "kernel", "depth", "kind", "mistake", "expect")


class MutantError(Exception):
    pass


def parse(path):
    header = {}
    edits = []
    mode = "header"
    find_file = None
    find, replace = [], []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        where = f"{path}:{n}"
        if line.startswith("@@ "):
            word = line[3:].split(" ", 1)
            if word[0] == "find" and mode == "header" or word[0] == "find" and mode == "between":
                if len(word) != 2 or not word[1].strip():
                    raise MutantError(f"{where}: '@@ find' wants a file")
                find_file, find, mode = word[1].strip(), [], "find"
            elif word[0] == "replace" and mode == "find":
                replace, mode = [], "replace"
            elif word[0] == "end" and mode == "replace":
                if not find:
                    raise MutantError(f"{where}: empty find text")
                edits.append((find_file, "\n".join(find) + "\n", "\n".join(replace) + "\n" if replace else ""))
                mode = "between"
            else:
                raise MutantError(f"{where}: unexpected '{line}'")
        elif mode == "find":
            find.append(line)
        elif mode == "replace":
            replace.append(line)
        elif mode == "header":
            if not line.strip() or line.startswith("#"):
                continue
            key, sep, value = line.partition(":")
            if not sep:
                raise MutantError(f"{where}: header line without 'key:'")
            key = key.strip()
            header[key] = (header[key] + " " if key in header else "") + value.strip()
        elif line.strip():
            raise MutantError(f"{where}: text outside an edit")
    if mode not in ("between",):
        raise MutantError(f"{path}: no complete edit (each ends with '@@ end')")
    for key in REQUIRED:
        if not header.get(key):
            raise MutantError(f"{path}: header '{key}' missing")
    if header["name"] + ".mutant" != os.path.basename(path):
        raise MutantError(f"{path}: name '{header['name']}' is not the file's name")
    if header["depth"].split()[0] not in ("shallow", "deep"):
        raise MutantError(f"{path}: depth must start with shallow or deep")
    if header["expect"].split()[0].rstrip(":") not in ("caught", "uncaught"):
        raise MutantError(f"{path}: expect must start with caught or uncaught")
    for file, _, _ in edits:
        if not file.endswith(".cc") or file.startswith("/") or ".." in file.split("/"):
            raise MutantError(f"{path}: edits may touch only .cc files of the tree, not '{file}'")
    return header, edits


def mutated_texts(path, read):
    """The changed files' texts after the mutant's edits: {file: text}."""
    _, edits = parse(path)
    texts = {}
    for file, find, replace in edits:
        if file not in texts:
            texts[file] = read(file)
        count = texts[file].count(find)
        if count != 1:
            first = find.strip().split("\n")[0]
            raise MutantError(f"{os.path.basename(path)}: the find text '{first}' occurs {count} "
                              f"times in {file}, not once")
        texts[file] = texts[file].replace(find, replace)
    return texts


def read_from(tree):
    def read(file):
        full = os.path.join(tree, file)
        if not os.path.isfile(full):
            raise MutantError(f"no file {file} in the tree")
        with open(full, encoding="utf-8") as f:
            return f.read()
    return read


def mutants_in(directory):
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".mutant"))


def apply(path, tree):
    texts = mutated_texts(path, read_from(tree))
    for file, text in texts.items():
        with open(os.path.join(tree, file), "w", encoding="utf-8") as f:
            f.write(text)


def compile_flags(build):
    """source path -> (directory, argument list) from BUILD/compile_commands.json."""
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        entries = json.load(f)
    flags = {}
    for e in entries:
        args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        flags[os.path.realpath(e["file"])] = (e["directory"], args)
    return flags


def check(directory, src, build):
    flags = compile_flags(build)
    paths = mutants_in(directory)
    if not paths:
        raise MutantError(f"no .mutant files in {directory}")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="dcfuzz-mutants-") as scratch:
        for path in paths:
            name = os.path.basename(path)[: -len(".mutant")]
            try:
                texts = mutated_texts(path, read_from(src))
            except MutantError as e:
                print(f"FAIL {name}: {e}")
                failed += 1
                continue
            for file, text in texts.items():
                original = os.path.realpath(os.path.join(src, file))
                if original not in flags:
                    print(f"FAIL {name}: {file} is not compiled in {build}")
                    failed += 1
                    continue
                cwd, args = flags[original]
                # The mutated file beside the original's name, in a scratch
                # directory: its includes are the tree's (quoted includes are
                # rooted at the include paths, not at the file's folder).
                copy = os.path.join(scratch, name, file)
                os.makedirs(os.path.dirname(copy), exist_ok=True)
                with open(copy, "w", encoding="utf-8") as f:
                    f.write(text)
                command = []
                skip = False
                for a in args:
                    if skip:
                        skip = False
                        continue
                    if a == "-o":
                        skip = True
                        continue
                    if a in ("-c",) or os.path.realpath(os.path.join(cwd, a)) == original:
                        continue
                    if a.endswith("ccache"):
                        continue
                    command.append(a)
                command += ["-fsyntax-only", copy]
                r = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
                if r.returncode != 0:
                    print(f"FAIL {name}: {file} does not compile:\n{r.stderr[:2000]}")
                    failed += 1
                else:
                    print(f"ok   {name}: {file}")
    print(f"{len(paths) - failed if failed <= len(paths) else 0} of {len(paths)} mutants apply and compile"
          if not failed else f"{failed} failure(s) among {len(paths)} mutants")
    return 1 if failed else 0


def sync(src, dst):
    """Makes DST a copy of the tree SRC (without build*/, .git, out/): only
    files whose content differs are written (they get a new mtime, so a
    build in DST recompiles exactly them); files SRC lacks are removed."""
    def skip(rel):
        top = rel.split(os.sep, 1)[0]
        return top.startswith("build") or top in (".git", "out")
    wanted = set()
    for dirpath, dirnames, filenames in os.walk(src):
        rel_dir = os.path.relpath(dirpath, src)
        dirnames[:] = [d for d in dirnames if not skip(os.path.normpath(os.path.join(rel_dir, d)))]
        for f in filenames:
            rel = os.path.normpath(os.path.join(rel_dir, f))
            if skip(rel):
                continue
            wanted.add(rel)
            a, b = os.path.join(src, rel), os.path.join(dst, rel)
            with open(a, "rb") as fa:
                data = fa.read()
            try:
                with open(b, "rb") as fb:
                    if fb.read() == data:
                        continue
            except OSError:
                pass
            os.makedirs(os.path.dirname(b), exist_ok=True)
            with open(b, "wb") as fb:
                fb.write(data)
            os.chmod(b, os.stat(a).st_mode & 0o777)
    for dirpath, dirnames, filenames in os.walk(dst):
        rel_dir = os.path.relpath(dirpath, dst)
        for f in filenames:
            rel = os.path.normpath(os.path.join(rel_dir, f))
            if rel not in wanted:
                os.remove(os.path.join(dst, rel))


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "list":
            for path in mutants_in(argv[2]):
                print(parse(path)[0]["name"])
            return 0
        if len(argv) == 4 and argv[1] == "field":
            print(parse(argv[2])[0].get(argv[3], ""))
            return 0
        if len(argv) == 4 and argv[1] == "sync":
            sync(argv[2], argv[3])
            return 0
        if len(argv) == 4 and argv[1] == "apply":
            apply(argv[2], argv[3])
            return 0
        if len(argv) == 5 and argv[1] == "check":
            return check(argv[2], argv[3], argv[4])
    except (MutantError, OSError) as e:
        print(f"mutant.py: {e}", file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
