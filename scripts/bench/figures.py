#!/usr/bin/env python3
"""Measures the speed figures the README quotes and writes them into the README.

    python3 scripts/bench/figures.py [--only envelope|local|files ...] [--files KMS]
                                     [--measurement-time SECONDS]

Every figure of the README's "### Speed" section lives in a block between two markers,
`<!-- figures:NAME:begin -->` and `<!-- figures:NAME:end -->`, that this script writes; nothing
there is edited by hand. Each block says when, on what machine (nproc, CPU model, load) and
with which command it was measured:

- `envelope`: `cargo bench -p kms-envelope --bench throughput` (criterion), each figure the
  speed of an envelope operation as a percentage of its bare AES-256-GCM baseline of the same
  run;
- `local`: `cargo bench -p kms-local --bench ops -- scaling` (criterion), how Encrypt on the
  local backend scales from one task to two beside how bare AES-GCM scales on the machine;
- `files`: `scripts/bench/file_throughput.py`, only with `--files KMS` (a release build of the
  `kms` command and the Python peers of `.venv`, which take minutes on a 1 GiB file).

A block that is not measured in this run is left as it is. `scripts/bench/check_figures.py`
(run by `scripts/test.sh`) checks, without running anything, that every figure in the README
sits in such a block and that every bench a block names exists.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")

ENVELOPE_GROUP = "64MiB_in_64KiB_frames"

# (what, measured bench, baseline bench): each figure is the measured bench's speed as a
# percentage of its baseline's. Bench ids are `crate/bench:criterion id`.
ENVELOPE_FIGURES = [
    ("One-shot into a reused buffer: `encrypt_into`", "one_shot/encrypt_into", "baseline/seal"),
    ("One-shot into a reused buffer: `decrypt_into`", "one_shot/decrypt_into", "baseline/open"),
    ("One-shot returning a new `Vec`: `encrypt`", "one_shot/encrypt", "baseline/seal_fresh"),
    ("One-shot returning a new `Vec`: `decrypt` (wipes the plaintext on drop)",
     "one_shot/decrypt", "baseline/open_fresh"),
    ("`decrypt` without the wipe (`into_plaintext`)", "one_shot/decrypt_unwiped",
     "baseline/open_fresh"),
    ("Streaming writer (256 KiB writes)", "streaming/writer", "baseline/seal"),
    ("Streaming reader (256 KiB reads)", "streaming/reader", "baseline/open"),
    ("Bare sealing into a new `Vec` (first touch of 64 MiB)", "baseline/seal_fresh",
     "baseline/seal"),
]

# (what, measured bench, baseline bench): each figure is the measured bench's throughput (in
# its own elements per second) as a multiple of the baseline's.
LOCAL_FIGURES = [
    ("Local Encrypt, 2 tasks against 1 (2 worker threads)", "scaling-encrypt/2 tasks",
     "scaling-encrypt/1 task"),
    ("Bare AES-256-GCM sealing, 2 threads against 1: the machine's own ceiling",
     "scaling-bare-seal/2 threads", "scaling-bare-seal/1 thread"),
]


def machine():
    """One line naming the machine: OS, nproc, CPU model, load average."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{platform.system()} {platform.machine()}, nproc {os.cpu_count()}, {model}; "
            f"load average {load} when it started")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def run_criterion(package, bench, filter_args, measurement_time):
    """Runs one criterion bench; returns {criterion id: (seconds per iteration, throughput)}
    for the benches it measured in this run."""
    started = time.time()
    command = ["cargo", "bench", "-p", package, "--bench", bench, "--", *filter_args, "--noplot"]
    if measurement_time:
        command += ["--warm-up-time", "1", "--measurement-time", str(measurement_time)]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    results = {}
    for directory, _, files in os.walk(os.path.join(target_dir(), "criterion")):
        if os.path.basename(directory) != "new" or "estimates.json" not in files:
            continue
        estimates_path = os.path.join(directory, "estimates.json")
        if os.path.getmtime(estimates_path) < started:
            continue
        with open(os.path.join(directory, "benchmark.json"), encoding="utf-8") as file:
            benchmark = json.load(file)
        with open(estimates_path, encoding="utf-8") as file:
            estimates = json.load(file)
        seconds = estimates["median"]["point_estimate"] / 1e9
        results[benchmark["full_id"]] = (seconds, benchmark.get("throughput") or {})
    return results


def amount(throughput):
    """The bytes or elements one iteration processes, and their unit."""
    for unit in ("Bytes", "BytesDecimal", "Elements"):
        if unit in throughput:
            return throughput[unit], unit
    return None, None


def rate(seconds, throughput):
    count, unit = amount(throughput)
    if count is None:
        return f"{seconds * 1e3:.2f} ms"
    if unit == "Elements":
        return f"{count / seconds / 1e3:.0f} k/s"
    return f"{count / seconds / (1 << 30):.2f} GiB/s"


def need(results, full_id, command):
    if full_id not in results:
        sys.exit(f"figures.py: `{command}` measured no `{full_id}`: was the bench renamed?")
    return results[full_id]


def envelope_block(measurement_time):
    results = run_criterion("kms-envelope", "throughput", [], measurement_time)
    command = "cargo bench -p kms-envelope --bench throughput"
    lines = [
        f"Measured {now()} by `scripts/bench/figures.py` (`{command}`, criterion medians) on "
        f"{machine()}. 64 MiB in 64 KiB frames, suite 0x0478, one thread; each figure is the "
        "speed of the envelope operation as a percentage of its bare aws-lc-rs AES-256-GCM "
        "baseline over the same frames, measured in the same run.",
        "",
        "| figure | speed vs baseline | measured (median) | bench | baseline |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for what, measured, baseline in ENVELOPE_FIGURES:
        m_seconds, m_throughput = need(results, f"{ENVELOPE_GROUP}/{measured}", command)
        b_seconds, _ = need(results, f"{ENVELOPE_GROUP}/{baseline}", command)
        lines.append(
            f"| {what} | {100 * b_seconds / m_seconds:.0f}% | {rate(m_seconds, m_throughput)} | "
            f"`kms-envelope/throughput:{ENVELOPE_GROUP}/{measured}` | "
            f"`kms-envelope/throughput:{ENVELOPE_GROUP}/{baseline}` |"
        )
    return lines


def local_block(measurement_time):
    results = run_criterion("kms-local", "ops", ["scaling"], measurement_time)
    command = "cargo bench -p kms-local --bench ops -- scaling"
    lines = [
        f"Measured {now()} by `scripts/bench/figures.py` (`{command}`, criterion medians) on "
        f"{machine()}. 32-byte Encrypts on one key, 2,000 per task; each figure is the "
        "throughput with two tasks (or threads) as a multiple of the throughput with one.",
        "",
        "| figure | 2 against 1 | measured (median) | bench | baseline |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for what, measured, baseline in LOCAL_FIGURES:
        m_seconds, m_throughput = need(results, measured, command)
        b_seconds, b_throughput = need(results, baseline, command)
        m_count, _ = amount(m_throughput)
        b_count, _ = amount(b_throughput)
        ratio = (m_count / m_seconds) / (b_count / b_seconds)
        lines.append(
            f"| {what} | {ratio:.2f} times | {rate(m_seconds, m_throughput)} | "
            f"`kms-local/ops:{measured}` | `kms-local/ops:{baseline}` |"
        )
    return lines


def files_block(kms):
    """Runs file_throughput.py at 64 KiB and 4 KiB frames and tabulates its medians."""
    python = os.path.join(ROOT, ".venv", "bin", "python")
    script = os.path.join(ROOT, "scripts", "bench", "file_throughput.py")
    command = [python, script, "--kms", kms, "--frame-length", "65536", "--frame-length", "4096"]
    print("$", " ".join(command), flush=True)
    started_on = machine()
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    print(output, flush=True)
    # Rows: frame, step, side, wall s, ... (see file_throughput.py's table).
    walls = {}
    for line in output.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[0].isdigit() and fields[1] in ("encrypt", "decrypt"):
            try:
                walls[(int(fields[0]), fields[1], fields[2])] = float(fields[3])
            except ValueError:
                continue
    if not walls:
        sys.exit("figures.py: file_throughput.py printed no table")
    lines = [
        f"Measured {now()} by `scripts/bench/figures.py --files` "
        f"(`scripts/bench/file_throughput.py --kms {os.path.relpath(kms, ROOT)}`, 1 GiB, "
        f"every output `fsync`ed, medians) on {started_on}.",
        "",
        "| frame | step | `kms` wall time against `dd bs=1M conv=fsync` | Python SDK wall time against `kms` | bench |",
        "| ---: | --- | ---: | ---: | --- |",
    ]
    for (frame, step, side), wall in sorted(walls.items()):
        if side != "ours":
            continue
        dd = walls.get((frame, step, "dd"))
        python_wall = walls.get((frame, step, "python"))
        lines.append(
            f"| {frame} | {step} | {f'{wall / dd:.2f} times' if dd else '-'} | "
            f"{f'{python_wall / wall:.1f} times' if python_wall else '-'} | "
            "`scripts/bench/file_throughput.py` |"
        )
    return lines


def replace_block(text, name, lines):
    begin, end = f"<!-- figures:{name}:begin -->", f"<!-- figures:{name}:end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        sys.exit(f"figures.py: README.md has no {begin} ... {end} block")
    body = "\n".join([begin, *lines, end])
    return pattern.sub(lambda _: body, text, count=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=("envelope", "local", "files"),
                        help="measure only these blocks (default: envelope and local, and files "
                             "with --files)")
    parser.add_argument("--files", metavar="KMS",
                        help="a release build of the kms command: also run file_throughput.py")
    parser.add_argument("--measurement-time", type=float,
                        help="criterion's --measurement-time in seconds (a quick run on a busy "
                             "machine); default: each bench's own")
    options = parser.parse_args()
    blocks = options.only or ["envelope", "local"] + (["files"] if options.files else [])
    if "files" in blocks and not options.files:
        parser.error("--only files needs --files KMS")

    with open(README, encoding="utf-8") as file:
        text = file.read()
    for name in blocks:
        if name == "envelope":
            lines = envelope_block(options.measurement_time)
        elif name == "local":
            lines = local_block(options.measurement_time)
        else:
            lines = files_block(os.path.abspath(options.files))
        text = replace_block(text, name, lines)
        # Written after each block, so a later failure keeps what was measured.
        with open(README, "w", encoding="utf-8") as file:
            file.write(text)
        print(f"README.md: figures:{name} written", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
