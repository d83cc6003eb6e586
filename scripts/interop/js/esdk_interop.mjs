#!/usr/bin/env node
// Interoperability of `kms encrypt-file` / `kms decrypt-file` with the official JavaScript AWS
// Encryption SDK (@aws-crypto/client-node, pinned in package.json and package-lock.json beside
// this file; scripts/interop/esdk_interop_js.sh installs it and runs this).
//
// Raw AES keyring, both ways: `kms` encrypts a file and the JS SDK decrypts it, the JS SDK
// encrypts and `kms` decrypts; suites 0x0478 and 0x0578, sizes 0 B .. 1 MiB (empty, one frame,
// a frame exactly, many frames), frame lengths 1, 4096 and 65536, a non-ASCII encryption
// context checked on both sides. The key namespace, key name and key bytes are those of
// scripts/interop/esdk_interop.py (the Python SDK's interop).
//
// Usage: node esdk_interop.mjs [--kms PATH]   (default: target/debug/kms)
//
// Prints one line per case and a final 'N passed, N failed' line; exits non-zero when any case
// fails, and when the SDK cannot be loaded or the kms binary is missing (never skips).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..", "..");

const SUITES = [0x0478, 0x0578];
const SIZES = [0, 1, 4095, 4096, 4097, 1024 * 1024];
const FRAME_LENGTHS = [1, 4096, 65536];
// Frame length 1 costs one AES-GCM call per byte on both sides.
const MAX_SIZE_FOR_FRAME_1 = 4097;

// Non-ASCII keys and values, in several scripts and planes (as the Python interop's).
const CONTEXT = {
  purpose: "interop",
  name: "café ☕ 日本語",
  "ключ": "значение",
  "emoji-🔑": "𝄞 music",
};

const NAMESPACE = "kms-rs-interop";
const KEY_NAME = "raw-aes-256";
const RAW_KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const PUBLIC_KEY_CONTEXT_KEY = "aws-crypto-public-key";

function parseArgs(argv) {
  const options = { kms: join(ROOT, "target", "debug", "kms") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--kms" && i + 1 < argv.length) {
      options.kms = resolve(argv[++i]);
    } else {
      throw new Error(`unknown argument ${argv[i]} (usage: esdk_interop.mjs [--kms PATH])`);
    }
  }
  return options;
}

/** Deterministic, non-repeating test data (the same construction as the Python interop). */
function data(size, seed) {
  const chunks = [];
  let length = 0;
  for (let counter = 0; length < size; counter++) {
    const digest = createHash("sha256").update(`${seed}:${counter}`).digest();
    chunks.push(digest);
    length += digest.length;
  }
  return Buffer.concat(chunks).subarray(0, size);
}

/** The JavaScript SDK, loaded from this folder's node_modules: a missing SDK is a failure. */
function loadPeer() {
  const require = createRequire(join(HERE, "package.json"));
  const sdk = require("@aws-crypto/client-node");
  const version = require("@aws-crypto/client-node/package.json").version;
  const { encrypt, decrypt } = sdk.buildClient(sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new sdk.RawAesKeyringNode({
    keyName: KEY_NAME,
    keyNamespace: NAMESPACE,
    // The keyring keeps a copy and wipes the array it is given: give it one of its own.
    unencryptedMasterKey: Uint8Array.from(RAW_KEY),
    wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  return {
    version,
    async encrypt(plaintext, suite, frameLength) {
      const { result } = await encrypt(keyring, plaintext, {
        encryptionContext: CONTEXT,
        suiteId: suite,
        frameLength,
      });
      return Buffer.from(result);
    },
    async decrypt(message) {
      return decrypt(keyring, message);
    },
  };
}

class Runner {
  constructor(kms, workdir) {
    this.kms = kms;
    this.workdir = workdir;
    this.passed = 0;
    this.failed = 0;
  }

  async case(name, fn) {
    try {
      await fn();
      this.passed += 1;
      console.log(`ok   ${name}`);
    } catch (error) {
      this.failed += 1;
      const reason = String(error?.message ?? error).trim().split("\n")[0];
      console.log(`FAIL ${name}: ${error?.name ?? "Error"}: ${reason}`);
      if (process.env.INTEROP_VERBOSE) {
        console.error(error);
      }
    }
  }

  path(name) {
    return join(this.workdir, name);
  }

  /** Runs our `kms` binary; throws with its one-line reason when it fails. */
  runKms(args) {
    const result = spawnSync(this.kms, args, { cwd: this.workdir });
    if (result.error) {
      throw result.error;
    }
    if (result.status !== 0) {
      throw new Error(`kms ${args[0]} exited ${result.status}: ${result.stderr.toString("utf8").trim()}`);
    }
  }
}

function contextArgs() {
  return Object.entries(CONTEXT).flatMap(([key, value]) => ["--context", `${key}=${value}`]);
}

function checkSuite(message, suite) {
  const expected = Buffer.from([0x02, suite >> 8, suite & 0xff]);
  if (!message.subarray(0, 3).equals(expected)) {
    throw new Error(`message starts with ${message.subarray(0, 3).toString("hex")}, not format 2 suite 0x${suite.toString(16).padStart(4, "0")}`);
  }
}

function checkContext(context, signed) {
  const pairs = { ...context };
  const publicKey = pairs[PUBLIC_KEY_CONTEXT_KEY];
  delete pairs[PUBLIC_KEY_CONTEXT_KEY];
  if (signed !== (publicKey !== undefined)) {
    throw new Error(`signed suite ${signed}, but the context ${publicKey === undefined ? "lacks" : "holds"} ${PUBLIC_KEY_CONTEXT_KEY}`);
  }
  const expected = JSON.stringify(Object.entries(CONTEXT).sort());
  const actual = JSON.stringify(Object.entries(pairs).sort());
  if (expected !== actual) {
    throw new Error(`encryption context differs: ${actual}`);
  }
}

async function oursToJs(runner, peer, keyringArgs, plaintext, suite, frameLength) {
  const plain = runner.path("plain");
  const messagePath = runner.path("ours.msg");
  writeFileSync(plain, plaintext);
  rmSync(messagePath, { force: true });
  runner.runKms([
    "encrypt-file", ...keyringArgs, ...contextArgs(), "--suite", `0x${suite.toString(16).padStart(4, "0")}`,
    "--frame-length", String(frameLength), plain, messagePath,
  ]);
  const message = readFileSync(messagePath);
  checkSuite(message, suite);
  const { plaintext: decrypted, messageHeader } = await peer.decrypt(message);
  if (!Buffer.from(decrypted).equals(plaintext)) {
    throw new Error(`the JS SDK decrypted ${decrypted.length} bytes that differ from the ${plaintext.length} encrypted`);
  }
  checkContext(messageHeader.encryptionContext, suite === 0x0578);
  if (messageHeader.frameLength !== frameLength) {
    throw new Error(`frame length ${messageHeader.frameLength}, not ${frameLength}`);
  }
}

async function jsToOurs(runner, peer, keyringArgs, plaintext, suite, frameLength) {
  const messagePath = runner.path("js.msg");
  const out = runner.path("decrypted");
  const message = await peer.encrypt(plaintext, suite, frameLength);
  checkSuite(message, suite);
  writeFileSync(messagePath, message);
  rmSync(out, { force: true });
  // The context given here must be present in the message, or nothing is written.
  runner.runKms(["decrypt-file", ...keyringArgs, ...contextArgs(), messagePath, out]);
  const decrypted = readFileSync(out);
  if (!decrypted.equals(plaintext)) {
    throw new Error(`kms decrypted ${decrypted.length} bytes that differ from the ${plaintext.length} encrypted`);
  }
}

async function rawCases(runner, peer) {
  const keyFile = runner.path("raw.key");
  writeFileSync(keyFile, RAW_KEY);
  const keyringArgs = ["--raw-aes-key-file", keyFile, "--key-namespace", NAMESPACE, "--key-name", KEY_NAME];
  for (const suite of SUITES) {
    for (const size of SIZES) {
      for (const frameLength of FRAME_LENGTHS) {
        if (frameLength === 1 && size > MAX_SIZE_FOR_FRAME_1) {
          continue;
        }
        const plaintext = data(size, `js-${suite}-${size}-${frameLength}`);
        const label = `raw-aes suite=0x${suite.toString(16).padStart(4, "0")} size=${size} frame=${frameLength}`;
        await runner.case(`${label} kms->js`, () => oursToJs(runner, peer, keyringArgs, plaintext, suite, frameLength));
        await runner.case(`${label} js->kms`, () => jsToOurs(runner, peer, keyringArgs, plaintext, suite, frameLength));
      }
    }
  }

  await runner.case("raw-aes a JS message under another key fails in kms (exit 1, no output)", async () => {
    const other = runner.path("other.key");
    writeFileSync(other, Buffer.alloc(32));
    writeFileSync(runner.path("js.msg"), await peer.encrypt(Buffer.from("secret"), 0x0478, 4096));
    const never = runner.path("never");
    const result = spawnSync(runner.kms, [
      "decrypt-file", "--raw-aes-key-file", other, "--key-namespace", NAMESPACE, "--key-name", KEY_NAME,
      runner.path("js.msg"), never,
    ], { cwd: runner.workdir });
    if (result.status !== 1 || existsSync(never)) {
      throw new Error(`a wrong key gave exit code ${result.status}`);
    }
  });

  await runner.case("raw-aes a kms message with one byte changed fails in the JS SDK", async () => {
    const plain = runner.path("plain");
    const messagePath = runner.path("ours.msg");
    writeFileSync(plain, data(10000, "js-tamper"));
    rmSync(messagePath, { force: true });
    runner.runKms(["encrypt-file", ...keyringArgs, ...contextArgs(), "--frame-length", "4096", plain, messagePath]);
    const message = readFileSync(messagePath);
    message[message.length - 20] ^= 0x01;
    let decrypted = false;
    try {
      await peer.decrypt(message);
      decrypted = true;
    } catch {
      // Expected: the JS SDK refuses the altered message.
    }
    if (decrypted) {
      throw new Error("the JS SDK decrypted an altered message");
    }
  });
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
    accessSync(options.kms, constants.X_OK);
  } catch (error) {
    console.log(`FAIL ${error.code === "ENOENT" || error.code === "EACCES" ? `the kms binary ${options?.kms} is missing: build it with \`cargo build -p kms-cli\`` : error.message}`);
    console.log("0 passed, 1 failed");
    return 1;
  }
  let peer;
  try {
    peer = loadPeer();
  } catch (error) {
    console.log(`FAIL the JavaScript AWS Encryption SDK cannot be used: ${error.message}`);
    console.log("(install it with scripts/interop/esdk_interop_js.sh, which runs npm ci in scripts/interop/js)");
    console.log("0 passed, 1 failed");
    return 1;
  }
  console.log(`@aws-crypto/client-node ${peer.version} on node ${process.version}, kms binary ${options.kms}`);

  const workdir = mkdtempSync(join(tmpdir(), "esdk-interop-js-"));
  const runner = new Runner(options.kms, workdir);
  try {
    await rawCases(runner, peer);
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
  console.log(`${runner.passed} passed, ${runner.failed} failed`);
  return runner.failed || !runner.passed ? 1 : 0;
}

process.exitCode = await main();
