"""Soak test of `kms serve` on a durable store (run it with scripts/soak/run.sh).

Two phases on one store, both under mixed load from many connections (one boto3 client, so one
keep-alive connection, per worker thread; SigV4-signed, retries off so that every answer is
seen): CreateKey, Encrypt (by key ID and by alias), Decrypt (of ciphertexts acknowledged
earlier, compared with their plaintext), RotateKeyOnDemand and alias moves (CreateAlias, then
UpdateAlias to another key).

1. Soak, for --seconds: the server's resident memory (VmRSS of /proc/PID/status) is sampled
   every --rss-interval seconds. During the warm-up (the first 60 s, or the first 30% of a
   shorter run) the store grows: keys are created up to --max-keys and rotated on demand up to
   10 times each (AWS's limit); each rotation adds key material that AWS keeps for the key's
   life, so the store's memory grows with them (about 1 KiB per material). After the warm-up
   the keys and materials stay as they are (creations and rotations turn into encryptions and
   decryptions; alias moves, which replace a mapping, go on), so resident memory must stay
   within --rss-growth-mib of its reading at the end of the warm-up: a leak of a few hundred
   bytes per request grows past the bound.
2. Kills, --kills times: the load runs for a random 0.3 to 2 s, the server gets SIGKILL, and a
   new one is started on the same store. After each restart, everything this phase
   acknowledged since the previous check is checked; at the end, everything acknowledged in
   both phases.

Acknowledged means the server answered with success. Checked means: every created key
describes as Enabled, every ciphertext decrypts to its plaintext, every key has at least the
rotations acknowledged for it, and every alias names the key of its last acknowledged move (or,
after a kill, of a move whose answer the kill cut off: such a move may or may not have been
written). A request cut off by a kill is not an error; any other failed request is.

Every process this starts (the server) is stopped by its PID: SIGTERM at the end, which must
give exit status 0, SIGKILL in the kill phase and on any failure. Exits with status 1 on a lost
or damaged acknowledged change, an unexpected error, or memory past the bound; prints the
figures (and with --json-out writes them as JSON).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
import botocore.config
import botocore.exceptions

# Answers that are expected under this load: a rotation past AWS's limit of 10 per key, or
# racing another rotation of the same key.
EXPECTED_CODES = {
    "RotateKeyOnDemand": {"LimitExceededException", "ConflictException"},
}
# What a request raises while the server is down (refused: never sent) ...
REFUSED = botocore.exceptions.EndpointConnectionError
# ... and when a kill cuts it off (its change may or may not have been written).
CUT_OFF = (
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
)
ON_DEMAND_ROTATIONS = 10
ALIASES_PER_WORKER = 2
# The mix: operation -> weight.
MIX = {
    "CreateKey": 2,
    "Encrypt": 34,
    "Decrypt": 40,
    "RotateKeyOnDemand": 6,
    "MoveAlias": 8,
    "DescribeKey": 10,
}


class Failure(Exception):
    """An acknowledged change that is lost or damaged, or an unexpected error."""


@dataclass
class Ledger:
    """Everything the server acknowledged, and what must be checked."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    keys: list[str] = field(default_factory=list)
    rotations: Counter = field(default_factory=Counter)
    blobs: list[tuple[bytes, bytes]] = field(default_factory=list)
    # alias -> the keys it may name: the last acknowledged move's, and those of moves cut off
    # by a kill since.
    aliases: dict[str, set[str]] = field(default_factory=dict)
    # The aliases whose creation was acknowledged.
    acknowledged_aliases: set[str] = field(default_factory=set)
    ops: Counter = field(default_factory=Counter)
    cut_off: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    expected_refusals: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    # How far the last check went, per list.
    checked_keys: int = 0
    checked_blobs: int = 0

    def count(self, op: str) -> None:
        with self.lock:
            self.ops[op] += 1


class Server:
    """`kms serve` on the store, started and stopped by PID."""

    def __init__(self, kms: str, store: str, workdir: str):
        self.kms, self.store, self.workdir = kms, store, workdir
        self.process: subprocess.Popen | None = None
        self.endpoint = ""
        self.starts = 0

    def start(self, port: int = 0) -> None:
        """Starts the server on `port` (0: a free one); a port taken meanwhile: on a free one."""
        try:
            self.start_on(port)
        except Failure:
            if port == 0:
                raise
            self.start_on(0)

    def start_on(self, port: int) -> None:
        self.starts += 1
        log = open(os.path.join(self.workdir, f"server-{self.starts}.log"), "wb")
        self.process = subprocess.Popen(
            [self.kms, "--url", f"local://{self.store}", "serve", "--listen",
             f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        line = self.process.stdout.readline().decode().strip()
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not match:
            self.kill()
            raise Failure(f"kms serve printed {line!r} first, not its listening line")
        self.endpoint = match.group(1)

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise Failure(f"no VmRSS in /proc/{self.pid}/status")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process.stdout.close()
            self.process = None

    def stop(self) -> None:
        """SIGTERM; the server must finish and exit with status 0 within 30 s."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure("kms serve did not stop within 30 s of SIGTERM")
        self.process.stdout.close()
        self.process = None
        if status != 0:
            raise Failure(f"kms serve exited with status {status} after SIGTERM")


def client(endpoint: str, pool: int = 1):
    # A session per client: creating clients of the default session is not thread-safe.
    return boto3.session.Session().client(
        "kms",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(
            retries={"total_max_attempts": 1},
            max_pool_connections=pool,
            connect_timeout=5,
            read_timeout=30,
        ),
    )


class Worker(threading.Thread):
    """One connection's load: picks operations from the mix until told to stop."""

    def __init__(self, number: int, server: Server, ledger: Ledger, stop: threading.Event,
                 max_keys: int, seed: int, settled: threading.Event):
        super().__init__(name=f"worker-{number}", daemon=True)
        self.number, self.server, self.ledger, self.stop = number, server, ledger, stop
        self.max_keys = max_keys
        # Set at the end of the warm-up: no more keys or key materials from then on.
        self.settled = settled
        self.random = random.Random(seed * 1000 + number)
        self.aliases = [f"alias/soak-{number}-{i}" for i in range(ALIASES_PER_WORKER)]
        self.created_aliases: set[str] = set()
        self.endpoint = ""
        self.kms = None
        self.killing = False

    def run(self) -> None:
        ops, weights = list(MIX), list(MIX.values())
        while not self.stop.is_set():
            if self.endpoint != self.server.endpoint:
                # (A restart on the same port keeps the client: it reconnects by itself.)
                self.endpoint = self.server.endpoint
                self.kms = client(self.endpoint)
            op = self.random.choices(ops, weights)[0]
            try:
                getattr(self, op)()
            except REFUSED as err:
                if not self.killing:
                    self.error(f"{op}: {err}")
                with self.ledger.lock:
                    self.ledger.refused[op] += 1
                time.sleep(0.05)
            except CUT_OFF as err:
                if not self.killing:
                    self.error(f"{op}: {err}")
                with self.ledger.lock:
                    self.ledger.cut_off[op] += 1
                time.sleep(0.02)
            except botocore.exceptions.ClientError as err:
                code = err.response["Error"]["Code"]
                if code in EXPECTED_CODES.get(op, ()):
                    with self.ledger.lock:
                        self.ledger.expected_refusals[f"{op}:{code}"] += 1
                else:
                    self.error(f"{op}: {code}: {err.response['Error'].get('Message')}")
            except Failure as err:
                self.error(str(err))
            except Exception as err:  # noqa: BLE001 - every other failure is reported
                self.error(f"{op}: {type(err).__name__}: {err}")

    def error(self, message: str) -> None:
        with self.ledger.lock:
            self.ledger.errors.append(message)

    def random_key(self) -> str | None:
        keys = self.ledger.keys
        return keys[self.random.randrange(len(keys))] if keys else None

    def CreateKey(self) -> None:
        if len(self.ledger.keys) >= self.max_keys or self.settled.is_set():
            return self.Encrypt()
        key = self.kms.create_key(Description=f"soak {self.number}")["KeyMetadata"]["KeyId"]
        with self.ledger.lock:
            self.ledger.keys.append(key)
            self.ledger.ops["CreateKey"] += 1

    def Encrypt(self) -> None:
        key = self.random_key()
        if key is None:
            return self.CreateKey()
        created = [alias for alias in self.aliases if alias in self.created_aliases]
        if created and self.random.random() < 0.3:
            key = self.random.choice(created)
        plaintext = self.random.randbytes(self.random.randrange(1, 200))
        blob = self.kms.encrypt(KeyId=key, Plaintext=plaintext)["CiphertextBlob"]
        with self.ledger.lock:
            self.ledger.blobs.append((blob, plaintext))
            self.ledger.ops["Encrypt"] += 1

    def Decrypt(self) -> None:
        blobs = self.ledger.blobs
        if not blobs:
            return self.Encrypt()
        blob, plaintext = blobs[self.random.randrange(len(blobs))]
        back = self.kms.decrypt(CiphertextBlob=blob)["Plaintext"]
        if back != plaintext:
            raise Failure("Decrypt: an acknowledged ciphertext decrypted to other bytes")
        self.ledger.count("Decrypt")

    def DescribeKey(self) -> None:
        key = self.random_key()
        if key is None:
            return self.CreateKey()
        state = self.kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"]
        if state != "Enabled":
            raise Failure(f"DescribeKey: key {key} is {state}")
        self.ledger.count("DescribeKey")

    def RotateKeyOnDemand(self) -> None:
        key = self.random_key()
        if key is None:
            return self.CreateKey()
        if self.ledger.rotations[key] >= ON_DEMAND_ROTATIONS or self.settled.is_set():
            return self.Decrypt()
        self.kms.rotate_key_on_demand(KeyId=key)
        with self.ledger.lock:
            self.ledger.rotations[key] += 1
            self.ledger.ops["RotateKeyOnDemand"] += 1

    def MoveAlias(self) -> None:
        key = self.random_key()
        if key is None:
            return self.CreateKey()
        alias = self.random.choice(self.aliases)
        with self.ledger.lock:
            # Until answered, the alias may name this key (after a kill, forever maybe).
            self.ledger.aliases.setdefault(alias, set()).add(key)
        if alias in self.created_aliases:
            self.kms.update_alias(AliasName=alias, TargetKeyId=key)
        else:
            try:
                self.kms.create_alias(AliasName=alias, TargetKeyId=key)
            except botocore.exceptions.ClientError as err:
                # A creation cut off by a kill may have been written.
                if err.response["Error"]["Code"] != "AlreadyExistsException":
                    raise
                self.kms.update_alias(AliasName=alias, TargetKeyId=key)
            self.created_aliases.add(alias)
        with self.ledger.lock:
            self.ledger.aliases[alias] = {key}
            self.ledger.acknowledged_aliases.add(alias)
            self.ledger.ops["MoveAlias"] += 1


class Checker:
    """Threads that check acknowledged changes, each with a client kept across checks."""

    def __init__(self, connections: int):
        self.pool = ThreadPoolExecutor(max_workers=connections)
        self.local = threading.local()

    def client(self, endpoint: str):
        if getattr(self.local, "endpoint", None) != endpoint:
            self.local.endpoint, self.local.kms = endpoint, client(endpoint)
        return self.local.kms


def check(endpoint: str, ledger: Ledger, checker: Checker, everything: bool,
          aliases: bool) -> dict:
    """Checks what was acknowledged since the last check (`everything`: all of it)."""
    with ledger.lock:
        key_start = 0 if everything else ledger.checked_keys
        blob_start = 0 if everything else ledger.checked_blobs
        keys = ledger.keys[key_start:]
        blobs = ledger.blobs[blob_start:]
        rotations = dict(ledger.rotations) if everything else {}
        expected_aliases = {alias: set(keys_) for alias, keys_ in ledger.aliases.items()}
        acknowledged_aliases = set(ledger.acknowledged_aliases)
        ledger.checked_keys += len(keys) if not everything else 0
        ledger.checked_blobs += len(blobs) if not everything else 0
        if everything:
            ledger.checked_keys, ledger.checked_blobs = len(ledger.keys), len(ledger.blobs)
    lost: list[str] = []

    def kms():
        return checker.client(endpoint)

    def check_key(key: str) -> None:
        try:
            state = kms().describe_key(KeyId=key)["KeyMetadata"]["KeyState"]
        except botocore.exceptions.ClientError as err:
            lost.append(f"key {key}: {err.response['Error']['Code']}")
            return
        if state != "Enabled":
            lost.append(f"key {key} is {state}")
        if key in rotations:
            listed = kms().list_key_rotations(KeyId=key, Limit=1000)["Rotations"]
            if len(listed) < rotations[key]:
                lost.append(f"key {key}: {len(listed)} rotations, {rotations[key]} acknowledged")

    def check_blob(item: tuple[bytes, bytes]) -> None:
        blob, plaintext = item
        try:
            back = kms().decrypt(CiphertextBlob=blob)["Plaintext"]
        except botocore.exceptions.ClientError as err:
            lost.append(f"ciphertext {base64.b64encode(blob[:24]).decode()}...: "
                        f"{err.response['Error']['Code']}")
            return
        if back != plaintext:
            lost.append(f"ciphertext {base64.b64encode(blob[:24]).decode()}... decrypts wrong")

    list(checker.pool.map(check_key, keys + [k for k in rotations if k not in set(keys)]))
    list(checker.pool.map(check_blob, blobs))
    if aliases:
        named = {}
        for page in client(endpoint).get_paginator("list_aliases").paginate():
            for alias in page["Aliases"]:
                named[alias["AliasName"]] = alias.get("TargetKeyId")
        for alias, possible in expected_aliases.items():
            target = named.get(alias)
            if target is None:
                if alias in acknowledged_aliases:
                    lost.append(f"{alias} is gone")
                # Otherwise never created: its only moves were cut off by kills.
                continue
            if target not in possible:
                lost.append(f"{alias} names {target}, not one of {sorted(possible)}")
    return {"keys": len(keys), "ciphertexts": len(blobs), "lost": lost}


def run(args: argparse.Namespace) -> dict:
    workdir = tempfile.mkdtemp(prefix="kms-soak-")
    store = os.path.join(workdir, "store")
    os.mkdir(store, 0o700)
    server = Server(args.kms, store, workdir)
    ledger = Ledger()
    checker = Checker(args.connections)
    stop = threading.Event()
    figures: dict = {"connections": args.connections, "store": store}
    ok = False
    try:
        server.start()
        settled = threading.Event()
        workers = [Worker(n, server, ledger, stop, args.max_keys, args.seed, settled)
                   for n in range(args.connections)]
        for worker in workers:
            worker.start()

        # Phase 1: soak, with memory readings.
        started = time.monotonic()
        warmup = min(60.0, 0.3 * args.seconds)
        samples: list[tuple[float, int]] = []
        while (elapsed := time.monotonic() - started) < args.seconds:
            if elapsed >= warmup and not settled.is_set():
                settled.set()
                with ledger.lock:
                    figures["store_after_warmup"] = {
                        "keys": len(ledger.keys),
                        "rotations": sum(ledger.rotations.values()),
                    }
            samples.append((round(elapsed, 1), server.rss_kib()))
            if ledger.errors:
                break
            time.sleep(min(args.rss_interval, max(0.0, args.seconds - elapsed)))
        samples.append((round(time.monotonic() - started, 1), server.rss_kib()))
        soak_seconds = time.monotonic() - started
        with ledger.lock:
            soak_ops = Counter(ledger.ops)
        # (A run stopped early by an error may have no reading after the warm-up.)
        warm = [kib for at, kib in samples if at >= warmup] or [samples[-1][1]]
        after_warmup, peak_after = warm[0], max(warm)
        growth_mib = (peak_after - after_warmup) / 1024
        figures["soak"] = {
            "seconds": round(soak_seconds, 1),
            "ops": dict(soak_ops),
            "ops_total": sum(soak_ops.values()),
            "ops_per_second": round(sum(soak_ops.values()) / soak_seconds, 1),
            "rss_mib": {
                "start": round(samples[0][1] / 1024, 1),
                "after_warmup": round(after_warmup / 1024, 1),
                "end": round(samples[-1][1] / 1024, 1),
                "peak_after_warmup": round(peak_after / 1024, 1),
                "warmup_seconds": round(warmup, 1),
                "growth_bound": args.rss_growth_mib,
            },
            "rss_samples_kib": samples,
        }
        if growth_mib > args.rss_growth_mib:
            ledger.errors.append(
                f"resident memory grew by {growth_mib:.1f} MiB after the warm-up "
                f"(bound {args.rss_growth_mib} MiB)")

        # Phase 2: SIGKILL under load, restart on the same store, check.
        # (Keys are created and rotated again: the kills must not lose them.)
        settled.clear()
        choose = random.Random(args.seed)
        kill_lost: list[str] = []
        # The checks after each restart cover what was acknowledged in this phase; what the
        # soak acknowledged is checked at the end, with everything.
        with ledger.lock:
            ledger.checked_keys, ledger.checked_blobs = len(ledger.keys), len(ledger.blobs)
        kill_started = time.monotonic()
        kills = 0
        for kill in range(args.kills):
            if ledger.errors:
                break
            time.sleep(choose.uniform(0.3, 2.0))
            for worker in workers:
                worker.killing = True
            server.kill()
            kills += 1
            server.start(server.port)
            result = check(server.endpoint, ledger, checker, everything=False, aliases=False)
            kill_lost += [f"after kill {kill + 1}: {what}" for what in result["lost"]]
            if kill_lost:
                break
            for worker in workers:
                worker.killing = False
        stop.set()
        for worker in workers:
            worker.join()
        with ledger.lock:
            all_ops = Counter(ledger.ops)
        figures["kills"] = {
            "kills": kills,
            "seconds": round(time.monotonic() - kill_started, 1),
            "ops": dict(all_ops - soak_ops),
            "requests_cut_off": dict(ledger.cut_off),
            "requests_refused_while_down": dict(ledger.refused),
            "lost_after_a_kill": kill_lost,
        }

        # Everything, at the end.
        final = check(server.endpoint, ledger, checker, everything=True, aliases=True)
        figures["final_check"] = {
            "keys": final["keys"],
            "ciphertexts": final["ciphertexts"],
            "rotated_keys": len(ledger.rotations),
            "rotations": sum(ledger.rotations.values()),
            "aliases": len(ledger.aliases),
            "lost": final["lost"],
        }
        figures["expected_refusals"] = dict(ledger.expected_refusals)
        figures["errors"] = ledger.errors[:20]
        figures["error_count"] = len(ledger.errors)
        figures["store_bytes"] = sum(
            os.path.getsize(os.path.join(store, name)) for name in os.listdir(store))
        server.stop()
        ok = not ledger.errors and not kill_lost and not final["lost"]
        figures["ok"] = ok
        return figures
    finally:
        stop.set()
        server.kill()
        checker.pool.shutdown(wait=False, cancel_futures=True)
        if ok and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"soak: the store and the server logs are in {workdir}", file=sys.stderr)


def main() -> int:
    # SIGTERM unwinds like Ctrl-C, so that the server is stopped (by its PID) on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kms", required=True, help="the kms binary")
    parser.add_argument("--seconds", type=float, default=600.0, help="the soak phase's length")
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs in the kill phase")
    parser.add_argument("--connections", type=int, default=16, help="worker connections")
    parser.add_argument("--max-keys", type=int, default=2000, help="keys created at most")
    parser.add_argument("--rss-interval", type=float, default=5.0, help="seconds between readings")
    parser.add_argument("--rss-growth-mib", type=float, default=32.0,
                        help="the most resident memory may grow after the warm-up, in MiB")
    parser.add_argument("--seed", type=int, default=1, help="seeds the mix and the kill times")
    parser.add_argument("--json-out", help="also write the figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the store and logs")
    args = parser.parse_args()
    if args.seconds <= 0 or args.kills < 0 or args.connections < 1 or args.max_keys < 1:
        parser.error("--seconds must be positive, --kills at least 0, --connections and "
                     "--max-keys at least 1")
    figures = run(args)
    summary = {k: v for k, v in figures.items() if k != "soak"}
    soak = dict(figures["soak"])
    soak.pop("rss_samples_kib")
    print(json.dumps({"soak": soak, **summary}, indent=2))
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump(figures, out, indent=2)
    if not figures["ok"]:
        print("soak: FAILED", file=sys.stderr)
        return 1
    print("soak: passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
