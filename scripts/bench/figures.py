#!/usr/bin/env python3
"""Measures the speed figures the README quotes and writes them into the README.

    python3 scripts/bench/figures.py [--only envelope|local|files ...] [--files KMS]
                                     [--measurement-time SECONDS]

Every figure of the README's "### Speed" section lives in a block between two markers,
`<!-- figures:NAME:begin -->` and `<!-- figures:NAME:end -->`, that this script writes; nothing
there is edited by hand. Each block says when, on what machine (nproc, CPU model, load) and
with which command it was measured:

- `envelope`: `cargo bench -p kms-envelope --bench throughput -- 64MiB` (criterion), each
  figure the speed of an envelope operation as a percentage of its bare AES-256-GCM baseline of
  the same run;
- `threads`: `cargo bench -p kms-envelope --bench throughput -- 256MiB`, one-shot encryption
  and decryption on one and two threads against bare AES-256-GCM on as many threads;
- `cache`: `cargo bench -p kms-envelope --bench data_key_cache` (KMS in the process) and
  `cargo bench -p kms-aws --bench data_key_cache` (KMS over HTTP), messages per second with
  the data key cache against one `GenerateDataKey` per message, and the calls the cache made;
- `local`: `cargo bench -p kms-local --bench ops -- scaling` (criterion), how Encrypt on the
  local backend scales from one task to two beside how bare AES-GCM scales on the machine;
- `keys`: `cargo bench -p kms-local --bench ops` (its signing, MAC and OAEP groups): the cost
  of Sign, Verify, GenerateMac and RSA Decrypt through the local backend against the bare
  aws-lc-rs operation on the same key;
- `files`: `scripts/bench/file_throughput.py` on tmpfs (`/dev/shm`), only with `--files KMS` (a
  release build of the `kms` command and the Python peers of `.venv`): `kms encrypt-file` and
  `decrypt-file` against `cp` and the Python SDK, with peak memory.

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
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")

ENVELOPE_GROUP = "64MiB_in_64KiB_frames"
THREADS_GROUP = "256MiB_in_64KiB_frames"
CACHE_GROUP = "1KiB_messages_kms_keyring"

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


# (what, measured bench, baseline bench) of the 256 MiB group: each figure is the measured
# bench's speed as a percentage of its baseline's.
THREADS_FIGURES = [
    ("One-shot `encrypt_into`, 1 thread", "one_shot/encrypt_into/1", "baseline/seal/1"),
    ("One-shot `decrypt_into`, 1 thread", "one_shot/decrypt_into/1", "baseline/open/1"),
    ("One-shot `encrypt_into`, 2 threads", "one_shot/encrypt_into/2", "baseline/seal/2"),
    ("One-shot `decrypt_into`, 2 threads", "one_shot/decrypt_into/2", "baseline/open/2"),
    ("Bare sealing, 2 threads against 1: the machine's own ceiling", "baseline/seal/2",
     "baseline/seal/1"),
    ("`encrypt_into`, 2 threads against 1", "one_shot/encrypt_into/2",
     "one_shot/encrypt_into/1"),
]

# (what, group, measured bench, baseline bench) of the ops bench: each figure is the cost of
# the operation through the local backend as a multiple of the bare aws-lc-rs operation's.
KEYS_FIGURES = [
    ("Sign, ECDSA P-256", "sign-ecdsa-p256-32B", "local/sign", "bare/sign"),
    ("Verify, ECDSA P-256", "verify-ecdsa-p256-32B", "local/verify", "bare/verify"),
    ("Sign, RSA-2048 PSS SHA-256", "sign-rsa2048-pss-sha256-32B", "local/sign", "bare/sign"),
    ("Verify, RSA-2048 PSS SHA-256", "verify-rsa2048-pss-sha256-32B", "local/verify",
     "bare/verify"),
    ("GenerateMac, HMAC-SHA-256 of 32 bytes", "generate-mac-hmac-sha256-32B",
     "local/generate_mac", "bare/sign"),
    ("GenerateMac, HMAC-SHA-256 of 32 bytes, less the request the caller builds and drops",
     "generate-mac-hmac-sha256-32B", "local/generate_mac - caller/build-and-drop-request",
     "bare/sign"),
    ("GenerateMac, HMAC-SHA-256 of 1 KiB", "generate-mac-hmac-sha256-1KiB",
     "local/generate_mac", "bare/sign"),
    ("Decrypt, RSA-2048 OAEP SHA-256", "decrypt-rsa2048-oaep-sha256-32B", "local/decrypt",
     "bare/decrypt"),
]
KEYS_FILTER = "^(sign|verify|generate-mac|decrypt-rsa)"


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
    for the benches it measured in this run, and under "stderr" what the bench printed there."""
    started = time.time()
    command = ["cargo", "bench", "-p", package, "--bench", bench, "--", *filter_args, "--noplot"]
    if measurement_time:
        command += ["--warm-up-time", "1", "--measurement-time", str(measurement_time)]
    print("$", " ".join(command), flush=True)
    run = subprocess.run(command, cwd=ROOT, check=True, stderr=subprocess.PIPE, text=True)
    print(run.stderr, end="", file=sys.stderr, flush=True)
    results = {"stderr": run.stderr}
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


def throughput_rows(group, figures, measurement_time, filter_arg, description):
    """The block of a group of the envelope's throughput bench: each figure the speed of a
    bench as a percentage of its baseline's."""
    results = run_criterion("kms-envelope", "throughput", [filter_arg], measurement_time)
    command = f"cargo bench -p kms-envelope --bench throughput -- {filter_arg}"
    lines = [
        f"Measured {now()} by `scripts/bench/figures.py` (`{command}`, criterion medians) on "
        f"{machine()}. {description}",
        "",
        "| figure | speed vs baseline | measured (median) | bench | baseline |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for what, measured, baseline in figures:
        m_seconds, m_throughput = need(results, f"{group}/{measured}", command)
        b_seconds, _ = need(results, f"{group}/{baseline}", command)
        lines.append(
            f"| {what} | {100 * b_seconds / m_seconds:.0f}% | {rate(m_seconds, m_throughput)} | "
            f"`kms-envelope/throughput:{group}/{measured}` | "
            f"`kms-envelope/throughput:{group}/{baseline}` |"
        )
    return lines


def envelope_block(measurement_time):
    return throughput_rows(
        ENVELOPE_GROUP, ENVELOPE_FIGURES, measurement_time, "64MiB",
        "64 MiB in 64 KiB frames, suite 0x0478, one thread; each figure is the speed of the "
        "envelope operation as a percentage of its bare aws-lc-rs AES-256-GCM baseline over "
        "the same frames, measured in the same run.")


def threads_block(measurement_time):
    return throughput_rows(
        THREADS_GROUP, THREADS_FIGURES, measurement_time, "256MiB",
        "256 MiB in 64 KiB frames, suite 0x0478, into a reused buffer; each figure is a speed "
        "as a percentage of its baseline's, measured in the same run (bare aws-lc-rs "
        "AES-256-GCM over the same frames on as many threads, each sealing or opening a "
        "contiguous part).")


# (where the KMS is, package, bench, group) of the data key cache's figures.
CACHE_BENCHES = [
    ("in the process", "kms-envelope", "data_key_cache", "1KiB_messages_kms_keyring"),
    ("over HTTP on 127.0.0.1 (`AwsKms` to `kms serve`'s server)", "kms-aws", "data_key_cache",
     "1KiB_messages_kms_keyring_over_http"),
]


def cache_block(measurement_time):
    lines = [
        f"Measured {now()} by `scripts/bench/figures.py` (`cargo bench -p kms-envelope --bench "
        "data_key_cache` and `cargo bench -p kms-aws --bench data_key_cache`, criterion "
        f"medians) on {machine()}. 1 KiB messages under one KMS keyring on the local backend, "
        "in the process or served over HTTP; the cache has a maximum age of 5 minutes; each "
        "figure is the messages per second with the cache as a multiple of one "
        "`GenerateDataKey` per message, measured in the same run.",
        "",
        "| figure | with the cache | `GenerateDataKey` calls of all cached runs | bench | "
        "baseline |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for where, package, bench, group in CACHE_BENCHES:
        results = run_criterion(package, bench, [], measurement_time)
        command = f"cargo bench -p {package} --bench {bench}"
        calls = re.search(r"GenerateDataKey calls with the cache: (\d+)", results["stderr"])
        if not calls:
            sys.exit(f"figures.py: `{command}` did not print its GenerateDataKey count")
        cached, throughput = need(results, f"{group}/cached", command)
        uncached, _ = need(results, f"{group}/uncached", command)
        lines.append(
            f"| KMS {where} | {uncached / cached:.1f} times ({rate(cached, throughput)}) | "
            f"{calls.group(1)} | `{package}/{bench}:{group}/cached` | "
            f"`{package}/{bench}:{group}/uncached` |"
        )
    return lines


def keys_block(measurement_time):
    results = run_criterion("kms-local", "ops", [KEYS_FILTER], measurement_time)
    command = f"cargo bench -p kms-local --bench ops -- '{KEYS_FILTER}'"
    lines = [
        f"Measured {now()} by `scripts/bench/figures.py` (`{command}`, criterion medians) on "
        f"{machine()}. Each figure is the time of one call through `LocalKms` (request built, "
        "key resolved, audit event, response) as a multiple of the bare aws-lc-rs operation "
        "on the same key, measured in the same run.",
        "",
        "| figure | cost vs bare | measured (median) | bench | baseline |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for what, group, measured, baseline in KEYS_FIGURES:
        # "a - b": the time of bench a less the time of bench b of the same group.
        benches = measured.split(" - ")
        m_seconds = need(results, f"{group}/{benches[0]}", command)[0] - sum(
            need(results, f"{group}/{less}", command)[0] for less in benches[1:])
        b_seconds, _ = need(results, f"{group}/{baseline}", command)
        names = " less ".join(f"`kms-local/ops:{group}/{bench}`" for bench in benches)
        lines.append(
            f"| {what} | {m_seconds / b_seconds:.2f} times | {m_seconds * 1e6:.2f} µs | "
            f"{names} | `kms-local/ops:{group}/{baseline}` |"
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
    """Runs file_throughput.py on tmpfs beside `cp` and the Python SDK; tabulates its medians."""
    python = os.path.join(ROOT, ".venv", "bin", "python")
    script = os.path.join(ROOT, "scripts", "bench", "file_throughput.py")
    with tempfile.TemporaryDirectory(prefix="kms-figures-", dir="/dev/shm") as workdir:
        command = [python, script, "--kms", kms, "--dir", workdir, "--frame-length", "65536",
                   "--side", "cp", "--side", "python"]
        print("$", " ".join(command), flush=True)
        started_on = machine()
        run = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    print(run.stdout, flush=True)
    # Rows: frame, step, side, wall s, MiB/s, CPU s, RSS MiB (see file_throughput.py's table).
    rows = {}
    for line in run.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 7 and fields[0].isdigit() and fields[1] in ("encrypt", "decrypt"):
            try:
                rss = None if fields[6] == "-" else float(fields[6])
                rows[(fields[1], fields[2])] = (float(fields[3]), rss)
            except ValueError:
                continue
    if not rows:
        sys.exit("figures.py: file_throughput.py printed no table")
    lines = [
        f"Measured {now()} by `scripts/bench/figures.py --files` "
        f"(`scripts/bench/file_throughput.py --kms {os.path.relpath(kms, ROOT)} --dir /dev/shm/… "
        "--side cp --side python`, 1 GiB in 64 KiB frames on tmpfs, medians of 3 runs) on "
        f"{started_on}.",
        "",
        "| step | `kms` wall time against `cp` | `kms` peak memory | Python SDK wall time "
        "against `kms` | bench |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for step in ("encrypt", "decrypt"):
        wall, rss = rows[(step, "ours")]
        cp_wall, _ = rows.get((step, "cp"), (None, None))
        python_wall, _ = rows.get((step, "python"), (None, None))
        lines.append(
            f"| {step} | {f'{wall / cp_wall:.2f} times' if cp_wall else '-'} | "
            f"{'-' if rss is None else f'{rss:.0f} MiB of memory'} | "
            f"{f'{python_wall / wall:.1f} times' if python_wall else '-'} | "
            "`scripts/bench/file_throughput.py` |"
        )
    return lines


CRITERION_BLOCKS = {
    "envelope": envelope_block,
    "threads": threads_block,
    "cache": cache_block,
    "local": local_block,
    "keys": keys_block,
}
BLOCKS = (*CRITERION_BLOCKS, "files")


def replace_block(text, name, lines):
    begin, end = f"<!-- figures:{name}:begin -->", f"<!-- figures:{name}:end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        sys.exit(f"figures.py: README.md has no {begin} ... {end} block")
    body = "\n".join([begin, *lines, end])
    return pattern.sub(lambda _: body, text, count=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=BLOCKS,
                        help="measure only these blocks (default: all but files, and files "
                             "with --files)")
    parser.add_argument("--files", metavar="KMS",
                        help="a release build of the kms command: also run file_throughput.py")
    parser.add_argument("--measurement-time", type=float,
                        help="criterion's --measurement-time in seconds (a quick run on a busy "
                             "machine); default: each bench's own")
    options = parser.parse_args()
    blocks = options.only or [b for b in BLOCKS if b != "files"] + (
        ["files"] if options.files else [])
    if "files" in blocks and not options.files:
        parser.error("--only files needs --files KMS")

    with open(README, encoding="utf-8") as file:
        text = file.read()
    for name in blocks:
        if name == "files":
            lines = files_block(os.path.abspath(options.files))
        else:
            lines = CRITERION_BLOCKS[name](options.measurement_time)
        text = replace_block(text, name, lines)
        # Written after each block, so a later failure keeps what was measured.
        with open(README, "w", encoding="utf-8") as file:
            file.write(text)
        print(f"README.md: figures:{name} written", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
