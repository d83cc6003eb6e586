#!/usr/bin/env python3
"""`kms encrypt-file` / `decrypt-file` side by side with the official Python AWS Encryption SDK's
streaming API (aws-encryption-sdk[MPL], pinned in scripts/requirements-peers.txt), on the same
file, with the same raw AES keyring, suite 0x0478 and frame length.

    .venv/bin/python scripts/bench/file_throughput.py --kms target/release/kms \
        [--size-mib 1024] [--frame-length 65536 ...] [--runs 3] [--dir DIR]

Both sides do the same work: read INPUT, write OUTPUT, fsync it (ours also renames its
temporary file; the Python side gets the same fsync so neither skips durability). Two more
sides copy the same bytes without any cryptography, the floor that the disk and the page cache
set on this machine: `dd bs=1M conv=fsync`, and plain `cp` (on tmpfs, e.g. `--dir /dev/shm/x`,
an fsync costs nothing and `cp` is the fastest copy there is). `--side` picks the sides
(default: ours, python, dd). Each run of each side is its own process,
started on a quiet disk (`sync` first) and measured from outside: wall time, CPU time (user +
system) and, when GNU time is installed, peak resident memory. Runs alternate between the
sides so all see the same machine load; the medians are reported, with each side's ratio to
ours. The decryptions read the same message (the one `kms encrypt-file` wrote), and their
output is compared with the input.

`--python-side` is the Python worker itself (one process per measured run).
"""

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time

NAMESPACE = "kms-rs-bench"
KEY_NAME = "raw-aes-256"
RAW_KEY = bytes(range(32))
# How much plaintext the input generator writes per call.
CHUNK = 1 << 20
# Every side that can be measured; "ours" always is (the others decrypt what it encrypted).
SIDES = ("ours", "python", "dd", "cp")


def python_side(mode, source, destination, frame_length):
    """Encrypts or decrypts SOURCE into DESTINATION with the Python SDK's streaming API."""
    import aws_encryption_sdk
    from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
    from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
    from aws_cryptographic_material_providers.mpl.models import (
        AesWrappingAlg,
        CreateRawAesKeyringInput,
    )
    from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy

    mpl = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())
    keyring = mpl.create_raw_aes_keyring(
        input=CreateRawAesKeyringInput(
            key_namespace=NAMESPACE,
            key_name=KEY_NAME,
            wrapping_key=RAW_KEY,
            wrapping_alg=AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16,
        )
    )
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    )
    options = {"keyring": keyring}
    if mode == "e":
        options.update(
            algorithm=Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, frame_length=frame_length
        )
    with open(source, "rb") as reader, open(destination, "wb") as writer:
        with client.stream(mode=mode, source=reader, **options) as stream:
            for chunk in stream:
                writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())


# GNU time, when installed, reads the peak memory of the command alone: a process forked from
# this Python one counts Python's own memory until it execs.
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def measure(command):
    """Runs COMMAND; returns its (wall seconds, CPU seconds, peak RSS in MiB or None)."""
    with tempfile.NamedTemporaryFile("r") as report:
        if GNU_TIME:
            command = [GNU_TIME, "-f", "%M", "-o", report.name, *command]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr = process.stderr.read()
        process.stderr.close()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            reason = stderr.decode("utf-8", "replace").strip()
            raise SystemExit(f"{command[0]} failed ({process.returncode}): {reason}")
        rss = int(report.read().split()[-1]) / 1024 if GNU_TIME else None
    return wall, usage.ru_utime + usage.ru_stime, rss


def write_input(path, size):
    """SIZE bytes of incompressible data (SHA-256 in counter mode)."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        written = 0
        counter = 0
        while written < size:
            block = bytearray()
            while len(block) < CHUNK:
                block += hashlib.sha256(counter.to_bytes(8, "big")).digest() * 128
                counter += 1
            block = bytes(block[: min(CHUNK, size - written)])
            digest.update(block)
            out.write(block)
            written += len(block)
    return digest.hexdigest()


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kms", help="the kms binary (a release build)")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--frame-length", type=int, action="append")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", help="where the files go (default: a new temporary directory)")
    parser.add_argument("--side", action="append", choices=SIDES,
                        help="measure this side (repeatable; default: ours, python, dd)")
    parser.add_argument("--python-side", nargs=4, metavar=("MODE", "IN", "OUT", "FRAME"))
    args = parser.parse_args()
    if args.python_side:
        mode, source, destination, frame = args.python_side
        python_side(mode, source, destination, int(frame))
        return
    if not args.kms:
        parser.error("--kms is required")

    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
        compare(args, args.dir)
    else:
        with tempfile.TemporaryDirectory(prefix="kms-file-throughput-") as workdir:
            compare(args, workdir)


def compare(args, workdir):
    """Measures every side, step and frame length in WORKDIR; prints a table."""
    frame_lengths = args.frame_length or [65536]
    path = lambda name: os.path.join(workdir, name)  # noqa: E731
    with open(path("key"), "wb") as key:
        key.write(RAW_KEY)
    size = args.size_mib * 1024 * 1024
    print(f"writing {args.size_mib} MiB of input into {workdir}", flush=True)
    expected = write_input(path("input"), size)
    os.sync()
    keyring_args = ["--raw-aes-key-file", path("key"), "--key-namespace", NAMESPACE,
                    "--key-name", KEY_NAME]
    this = os.path.abspath(__file__)

    def ours(mode, source, destination, frame):
        command = "encrypt-file" if mode == "e" else "decrypt-file"
        frame_args = ["--frame-length", str(frame)] if mode == "e" else []
        return [args.kms, command, *keyring_args, *frame_args, source, destination]

    def theirs(mode, source, destination, frame):
        return [sys.executable, this, "--python-side", mode, source, destination, str(frame)]

    def dd(mode, source, destination, frame):
        return ["dd", f"if={source}", f"of={destination}", "bs=1M", "conv=fsync", "status=none"]

    def cp(mode, source, destination, frame):
        return ["cp", source, destination]

    builders = {"ours": ours, "python": theirs, "dd": dd, "cp": cp}
    sides = ["ours"] + [side for side in (args.side or ("python", "dd")) if side != "ours"]

    print(f"{'frame':>7} {'step':<8} {'side':<7} {'wall s':>7} {'MiB/s':>8} {'CPU s':>7} "
          f"{'RSS MiB':>8}   side/ours: wall   CPU", flush=True)
    for frame in frame_lengths:
        for mode, step in (("e", "encrypt"), ("d", "decrypt")):
            results = {side: [] for side in sides}
            for _ in range(args.runs):
                for side in sides:
                    build = builders[side]
                    if mode == "e":
                        source, destination = path("input"), path(f"{side}.msg")
                    else:
                        source, destination = path("ours.msg"), path(f"{side}.out")
                    # Each run starts on a quiet disk, with no output of an earlier run to
                    # replace or write back.
                    if os.path.exists(destination):
                        os.remove(destination)
                    os.sync()
                    results[side].append(measure(build(mode, source, destination, frame)))
                    if mode == "d" and side in ("ours", "python") and \
                            file_digest(destination) != expected:
                        raise SystemExit(f"{side} decrypted something else than the input")
            medians = {
                side: tuple(
                    statistics.median(run[i] for run in runs) if runs[0][i] is not None else None
                    for i in range(3)
                )
                for side, runs in results.items()
            }
            for side in sides:
                wall, cpu, rss = medians[side]
                rate = args.size_mib / max(wall, 0.005)
                line = (f"{frame:>7} {step:<8} {side:<7} {wall:>7.2f} {rate:>8.0f} "
                        f"{cpu:>7.2f} {'-' if rss is None else f'{rss:.1f}':>8}")
                if side != "ours":
                    line += (f"   {wall / max(medians['ours'][0], 0.005):>15.2f}x"
                             f" {cpu / max(medians['ours'][1], 0.005):>5.2f}x")
                print(line, flush=True)
        for name in [f"{side}.{suffix}" for side in SIDES for suffix in ("msg", "out")]:
            if os.path.exists(path(name)):
                os.remove(path(name))


if __name__ == "__main__":
    main()
