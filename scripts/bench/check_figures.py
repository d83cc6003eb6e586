#!/usr/bin/env python3
"""Checks, without running any bench, that the README's speed figures are generated and
name benches that exist.

    python3 scripts/bench/check_figures.py [README]

- Every figure (a percentage, "N times as fast/long", a rate such as GiB/s) must sit in a
  block that `scripts/bench/figures.py` writes, between `<!-- figures:NAME:begin -->` and
  `<!-- figures:NAME:end -->`; one anywhere else was copied by hand.
- Inside the blocks, every table row and paragraph holding a figure names its bench: a
  criterion bench as `crate/bench:group/function` (the crate's `benches/bench.rs` must exist
  and hold the group and the function as string literals, or as format strings such as
  `"baseline/seal/{threads}"`, itself or in a module it includes with `#[path]`), or a
  script path that exists.

Prints each problem and exits 1 when there is any; exits 0 and says how many figures it
checked otherwise.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NUMBER = r"\d+(?:\.\d+)?"
FIGURE = re.compile(
    rf"{NUMBER}(?:\s*[–-]\s*{NUMBER})?\s*"
    r"(?:%|times(?: (?:as|at|faster|slower|against)\b|\s*\|)|×|[kMG]i?B/s|k/s|ops/s"
    r"|[kMG]iB of memory)"
)
BEGIN = re.compile(r"<!-- figures:([a-z0-9_-]+):begin -->")
END = re.compile(r"<!-- figures:([a-z0-9_-]+):end -->")
CRITERION_REF = re.compile(r"`([a-z0-9_-]+)/([a-z0-9_]+):([^`]+)`")
SCRIPT_REF = re.compile(r"`(scripts/[^` ]+\.(?:py|sh))`")


def literals(path, cache={}):  # noqa: B006 - a cache of file contents for this run
    """The string literals of the Rust file `path` and of the modules it includes with
    `#[path = "..."]`."""
    if path not in cache:
        with open(path, encoding="utf-8") as file:
            text = file.read()
        found = set(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
        for included in re.findall(r'#\[path\s*=\s*"([^"]+)"\]', text):
            found |= literals(os.path.normpath(os.path.join(os.path.dirname(path), included)))
        cache[path] = found
    return cache[path]


def is_literal(part, found):
    """PART is one of the literals, or fits a format string among them (`"baseline/{n}"`)."""
    if part in found:
        return True
    for literal in found:
        if "{" in literal:
            pattern = "".join(
                ".+" if piece.startswith("{") else re.escape(piece)
                for piece in re.split(r"(\{[^{}]*\})", literal)
            )
            if re.fullmatch(pattern, part):
                return True
    return False


def check_reference(crate, bench, bench_id):
    """The problem with a criterion bench reference, or None."""
    source = os.path.join(ROOT, crate, "benches", f"{bench}.rs")
    if not os.path.isfile(source):
        return f"`{crate}/{bench}`: no bench source {os.path.relpath(source, ROOT)}"
    group, _, function = bench_id.partition("/")
    found = literals(source)
    missing = [part for part in (group, function) if part and not is_literal(part, found)]
    if not function:
        return f"`{crate}/{bench}:{bench_id}` names no function (group/function)"
    if missing:
        return (f"`{crate}/{bench}:{bench_id}`: {', '.join(repr(m) for m in missing)} "
                f"is not a string literal of {os.path.relpath(source, ROOT)}")
    return None


def units(lines):
    """Table rows one by one, other text by paragraph: (first line number, text)."""
    paragraph, start = [], None
    for number, line in lines:
        if line.lstrip().startswith("|"):
            if paragraph:
                yield start, " ".join(paragraph)
                paragraph = []
            yield number, line
        elif not line.strip():
            if paragraph:
                yield start, " ".join(paragraph)
                paragraph = []
        else:
            if not paragraph:
                start = number
            paragraph.append(line)
    if paragraph:
        yield start, " ".join(paragraph)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "README.md")
    with open(path, encoding="utf-8") as file:
        text = file.read().splitlines()
    name = os.path.relpath(path, ROOT)
    problems, checked, blocks = [], 0, set()
    block, block_lines, in_code = None, [], False

    for number, line in enumerate(text, 1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        begin, end = BEGIN.search(line), END.search(line)
        if begin:
            if block:
                problems.append(f"{name}:{number}: block {begin.group(1)} opens inside {block}")
            block, block_lines = begin.group(1), []
            if block in blocks:
                problems.append(f"{name}:{number}: a second block {block}")
            blocks.add(block)
            continue
        if end:
            if end.group(1) != block:
                problems.append(f"{name}:{number}: end of {end.group(1)} outside its block")
                continue
            for start, unit in units(block_lines):
                figures = FIGURE.findall(unit)
                if not figures:
                    continue
                references = CRITERION_REF.findall(unit)
                scripts = SCRIPT_REF.findall(unit)
                if not references and not scripts:
                    problems.append(f"{name}:{start}: {figures[0]!r} names no bench")
                for crate, bench, bench_id in references:
                    problem = check_reference(crate, bench, bench_id)
                    if problem:
                        problems.append(f"{name}:{start}: {problem}")
                for script in scripts:
                    if not os.path.isfile(os.path.join(ROOT, script)):
                        problems.append(f"{name}:{start}: {script} does not exist")
                checked += len(figures)
            block = None
            continue
        if in_code:
            continue
        if block:
            block_lines.append((number, line))
            continue
        for figure in FIGURE.findall(line):
            problems.append(
                f"{name}:{number}: the figure {figure!r} is not in a generated block: "
                "measure it with scripts/bench/figures.py"
            )
    if block:
        problems.append(f"{name}: block {block} is never closed")
    if not blocks:
        problems.append(f"{name}: no generated figures block")

    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) with the figures of {name}")
        return 1
    print(f"{name}: {checked} figures in {len(blocks)} generated blocks, each naming a bench "
          "that exists")
    return 0


if __name__ == "__main__":
    sys.exit(main())
