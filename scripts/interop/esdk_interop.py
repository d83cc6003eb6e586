#!/usr/bin/env python3
"""Interoperability of `kms encrypt-file` / `kms decrypt-file` with the official Python AWS
Encryption SDK (aws-encryption-sdk with the Material Providers Library, pinned in
scripts/requirements-peers.txt).

Every case encrypts on one side and decrypts on the other, both ways, and compares the
plaintext and the encryption context:

    esdk_interop.py raw   # raw AES keyring: suites 0x0478 and 0x0578, sizes 0 B .. 1 MiB,
                          # frame lengths 1, 4096 and 65536, a non-ASCII context
                          # (Python writes no frames of 1 byte: 128 stands in for them),
                          # and the required encryption context CMM both ways
    esdk_interop.py kms   # AWS KMS keyrings (and discovery keyrings) through a KMS endpoint:
                          # --endpoint URL, default $KMS_TEST_MOTO_URL (moto_server), else
                          # $KMS_TEST_SERVE_URL (kms serve)
    esdk_interop.py raw-ecdh  # raw ECDH keyrings, offline: static keys, ephemeral sender and
                              # public key discovery, on P-256, P-384 and P-521
    esdk_interop.py kms-rsa   # AWS KMS RSA keyring (RSAES_OAEP_SHA_1 and _256) through a KMS
                              # endpoint (kms serve: moto has no RSA key to decrypt with)
    esdk_interop.py kms-ecdh  # AWS KMS ECDH keyrings (static and discovery, with raw ECDH
                              # parties too) through a KMS endpoint with DeriveSharedSecret
                              # (kms serve)
    esdk_interop.py mrk   # AWS KMS MRK keyrings (strict and discovery) across us-east-1 and
                          # us-west-2 of one endpoint: a multi-Region key and its replica,
                          # each side encrypting under the primary and the other decrypting
                          # with the replica, and refusals (an unrelated multi-Region key, a
                          # single-Region key of another Region). kms serve only: moto's
                          # multi-Region key IDs are hyphenated UUIDs (mrk-xxxxxxxx-xxxx-...),
                          # which our key ID parser refuses, not AWS's mrk- and 32 hex digits

Prints one line per case and a final 'N passed, N failed' line; exits non-zero when any case
fails, and when the SDK cannot be imported or the endpoint is not reachable (never skips).
"""

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SUITES = (0x0478, 0x0578)
SIZES = (0, 1, 4095, 4096, 4097, 1024 * 1024)
FRAME_LENGTHS = (1, 4096, 65536)
# Frame length 1 costs one AES-GCM call (and one Python round of bookkeeping) per byte.
MAX_SIZE_FOR_FRAME_1 = 4097
# The Python SDK reads any frame length but writes only multiples of 128 ("Frame size must be
# a non-negative multiple of the block size of the crypto algorithm: 128": it compares with
# the AES block size in bits): where we write frames of 1 byte, it writes frames of 128, its
# smallest.
PYTHON_MIN_FRAME_LENGTH = 128

# Non-ASCII keys and values, in several scripts and planes.
CONTEXT = {
    "purpose": "interop",
    "name": "café ☕ 日本語",
    "ключ": "значение",
    "emoji-🔑": "𝄞 music",
}

NAMESPACE = "kms-rs-interop"
KEY_NAME = "raw-aes-256"
RAW_KEY = bytes(range(32))


class Peer:
    """The official Python SDK, imported lazily so a missing SDK is a reported failure."""

    def __init__(self):
        import aws_encryption_sdk
        from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
        from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
        from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy

        self.sdk = aws_encryption_sdk
        self.mpl = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())
        self.client = aws_encryption_sdk.EncryptionSDKClient(
            commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
        )
        self.algorithms = {
            0x0478: Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
            0x0578: Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
        }

    def raw_aes_keyring(self):
        from aws_cryptographic_material_providers.mpl.models import (
            AesWrappingAlg,
            CreateRawAesKeyringInput,
        )

        return self.mpl.create_raw_aes_keyring(
            input=CreateRawAesKeyringInput(
                key_namespace=NAMESPACE,
                key_name=KEY_NAME,
                wrapping_key=RAW_KEY,
                wrapping_alg=AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16,
            )
        )

    def required_context_cmm(self, keyring, keys):
        """The MPL's required encryption context CMM over the default CMM of `keyring`."""
        from aws_cryptographic_material_providers.mpl.models import (
            CreateDefaultCryptographicMaterialsManagerInput,
            CreateRequiredEncryptionContextCMMInput,
        )

        underlying = self.mpl.create_default_cryptographic_materials_manager(
            input=CreateDefaultCryptographicMaterialsManagerInput(keyring=keyring)
        )
        return self.mpl.create_required_encryption_context_cmm(
            input=CreateRequiredEncryptionContextCMMInput(
                underlying_cmm=underlying, required_encryption_context_keys=list(keys)
            )
        )

    def kms_keyring(self, kms_client, generator, others=()):
        from aws_cryptographic_material_providers.mpl.models import (
            CreateAwsKmsKeyringInput,
            CreateMultiKeyringInput,
        )

        def single(arn):
            return self.mpl.create_aws_kms_keyring(
                input=CreateAwsKmsKeyringInput(kms_key_id=arn, kms_client=kms_client)
            )

        if not others:
            return single(generator)
        return self.mpl.create_multi_keyring(
            input=CreateMultiKeyringInput(
                generator=single(generator), child_keyrings=[single(arn) for arn in others]
            )
        )

    def kms_discovery_keyring(self, kms_client, account):
        from aws_cryptographic_material_providers.mpl.models import (
            CreateAwsKmsDiscoveryKeyringInput,
            DiscoveryFilter,
        )

        return self.mpl.create_aws_kms_discovery_keyring(
            input=CreateAwsKmsDiscoveryKeyringInput(
                kms_client=kms_client,
                discovery_filter=DiscoveryFilter(account_ids=[account], partition="aws"),
            )
        )

    def kms_mrk_keyring(self, kms_client, arn):
        """The AWS KMS MRK keyring: decrypts what `arn` or a related multi-Region key of
        another Region wrapped, calling `arn` with `kms_client` (a client of its Region)."""
        from aws_cryptographic_material_providers.mpl.models import CreateAwsKmsMrkKeyringInput

        return self.mpl.create_aws_kms_mrk_keyring(
            input=CreateAwsKmsMrkKeyringInput(kms_key_id=arn, kms_client=kms_client)
        )

    def kms_mrk_discovery_keyring(self, kms_client, region, account):
        """The AWS KMS MRK discovery keyring of `region` (the Region of `kms_client`),
        limited to the keys of `account`."""
        from aws_cryptographic_material_providers.mpl.models import (
            CreateAwsKmsMrkDiscoveryKeyringInput,
            DiscoveryFilter,
        )

        return self.mpl.create_aws_kms_mrk_discovery_keyring(
            input=CreateAwsKmsMrkDiscoveryKeyringInput(
                kms_client=kms_client,
                region=region,
                discovery_filter=DiscoveryFilter(account_ids=[account], partition="aws"),
            )
        )

    def kms_rsa_keyring(self, kms_client, arn, algorithm, public_key_pem=None):
        from aws_cryptographic_material_providers.mpl.models import CreateAwsKmsRsaKeyringInput

        return self.mpl.create_aws_kms_rsa_keyring(
            input=CreateAwsKmsRsaKeyringInput(
                kms_key_id=arn,
                encryption_algorithm=algorithm,
                public_key=public_key_pem,
                kms_client=kms_client,
            )
        )

    def raw_ecdh_keyring(self, curve, sender_private_pem=None, recipient_public_der=None,
                         recipient_private_pem=None):
        """The raw ECDH keyring: static keys when given the sender's private key and the
        recipient's public key, ephemeral with the recipient's public key alone, discovery
        with the recipient's private key."""
        from aws_cryptographic_material_providers.mpl import models

        if sender_private_pem is not None:
            scheme = models.RawEcdhStaticConfigurationsRawPrivateKeyToStaticPublicKey(
                models.RawPrivateKeyToStaticPublicKeyInput(
                    sender_static_private_key=sender_private_pem,
                    recipient_public_key=recipient_public_der,
                )
            )
        elif recipient_public_der is not None:
            scheme = models.RawEcdhStaticConfigurationsEphemeralPrivateKeyToStaticPublicKey(
                models.EphemeralPrivateKeyToStaticPublicKeyInput(
                    recipient_public_key=recipient_public_der
                )
            )
        else:
            scheme = models.RawEcdhStaticConfigurationsPublicKeyDiscovery(
                models.PublicKeyDiscoveryInput(recipient_static_private_key=recipient_private_pem)
            )
        return self.mpl.create_raw_ecdh_keyring(
            input=models.CreateRawEcdhKeyringInput(key_agreement_scheme=scheme, curve_spec=curve)
        )

    def kms_ecdh_keyring(self, kms_client, curve, sender_arn=None, recipient_public_der=None,
                         recipient_arn=None):
        """The AWS KMS ECDH keyring: the sender's KMS key and the recipient's public key, or
        discovery with the recipient's KMS key."""
        from aws_cryptographic_material_providers.mpl import models

        if sender_arn is not None:
            scheme = models.KmsEcdhStaticConfigurationsKmsPrivateKeyToStaticPublicKey(
                models.KmsPrivateKeyToStaticPublicKeyInput(
                    sender_kms_identifier=sender_arn, recipient_public_key=recipient_public_der
                )
            )
        else:
            scheme = models.KmsEcdhStaticConfigurationsKmsPublicKeyDiscovery(
                models.KmsPublicKeyDiscoveryInput(recipient_kms_identifier=recipient_arn)
            )
        return self.mpl.create_aws_kms_ecdh_keyring(
            input=models.CreateAwsKmsEcdhKeyringInput(
                key_agreement_scheme=scheme, curve_spec=curve, kms_client=kms_client
            )
        )

    def encrypt(self, keyring, plaintext, suite, frame_length):
        message, header = self.client.encrypt(
            source=plaintext,
            keyring=keyring,
            encryption_context=CONTEXT,
            algorithm=self.algorithms[suite],
            frame_length=frame_length,
        )
        return message

    def decrypt(self, keyring, message):
        plaintext, header = self.client.decrypt(source=message, keyring=keyring)
        return plaintext, header


class Runner:
    """Runs the cases, prints one line for each, and counts."""

    def __init__(self, kms, workdir):
        self.kms = kms
        self.workdir = workdir
        self.passed = 0
        self.failed = 0

    def case(self, name, function):
        try:
            function()
        except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
            self.failed += 1
            reason = str(error).strip().splitlines()
            print(f"FAIL {name}: {type(error).__name__}: {reason[0] if reason else ''}", flush=True)
            if os.environ.get("INTEROP_VERBOSE"):
                traceback.print_exc()
        else:
            self.passed += 1
            print(f"ok   {name}", flush=True)

    def path(self, name):
        return os.path.join(self.workdir, name)

    def run_kms(self, args):
        """Runs our `kms` binary; raises with its one-line reason when it fails."""
        result = subprocess.run([self.kms, *args], capture_output=True, cwd=self.workdir)
        if result.returncode != 0:
            raise AssertionError(
                f"kms {args[0]} exited {result.returncode}: "
                f"{result.stderr.decode('utf-8', 'replace').strip()}"
            )


def data(size, seed):
    """Deterministic, non-repeating test data."""
    import hashlib

    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def context_args():
    args = []
    for key, value in CONTEXT.items():
        args += ["--context", f"{key}={value}"]
    return args


def check_context(header):
    context = dict(header.encryption_context)
    context.pop("aws-crypto-public-key", None)
    if context != CONTEXT:
        raise AssertionError(f"encryption context differs: {context!r}")


def check_message_suite(message, suite):
    if message[:3] != bytes([0x02, suite >> 8, suite & 0xFF]):
        raise AssertionError(f"message starts with {message[:3].hex()}, not format 2 suite {suite:#06x}")


def ours_to_python(runner, peer, keyring, keyring_args, plaintext, suite, frame_length):
    plain, message_path = runner.path("plain"), runner.path("ours.msg")
    with open(plain, "wb") as file:
        file.write(plaintext)
    if os.path.exists(message_path):
        os.remove(message_path)
    runner.run_kms(
        ["encrypt-file", *keyring_args, *context_args(), "--suite", f"{suite:#06x}",
         "--frame-length", str(frame_length), plain, message_path]
    )
    with open(message_path, "rb") as file:
        message = file.read()
    check_message_suite(message, suite)
    decrypted, header = peer.decrypt(keyring, message)
    if decrypted != plaintext:
        raise AssertionError(f"Python decrypted {len(decrypted)} bytes that differ from the {len(plaintext)} encrypted")
    check_context(header)
    if header.frame_length != frame_length:
        raise AssertionError(f"frame length {header.frame_length}, not {frame_length}")


def python_to_ours(runner, peer, keyring, keyring_args, plaintext, suite, frame_length):
    message_path, out = runner.path("python.msg"), runner.path("decrypted")
    message = peer.encrypt(keyring, plaintext, suite, frame_length)
    check_message_suite(message, suite)
    with open(message_path, "wb") as file:
        file.write(message)
    if os.path.exists(out):
        os.remove(out)
    # The context given here must be present in the message, or nothing is written.
    runner.run_kms(["decrypt-file", *keyring_args, *context_args(), message_path, out])
    with open(out, "rb") as file:
        decrypted = file.read()
    if decrypted != plaintext:
        raise AssertionError(f"kms decrypted {len(decrypted)} bytes that differ from the {len(plaintext)} encrypted")


# The pairs of CONTEXT that the required-context cases keep out of the message.
REQUIRED_KEYS = ("purpose", "ключ")


def required_args():
    return ["--required-encryption-context-keys", ",".join(REQUIRED_KEYS)]


def stored_context(message_context):
    context = dict(message_context)
    context.pop("aws-crypto-public-key", None)
    return context


def expect_kms_failure(runner, args, output):
    """Runs `kms`, which must fail with exit code 1 and write nothing."""
    if os.path.exists(output):
        os.remove(output)
    result = subprocess.run([runner.kms, *args], capture_output=True, cwd=runner.workdir)
    if result.returncode != 1 or os.path.exists(output):
        raise AssertionError(
            f"kms {args[0]} exited {result.returncode} (expected 1, nothing written): "
            f"{result.stderr.decode('utf-8', 'replace').strip()}"
        )


def expect_python_refusal(decrypt, failure):
    """Calls `decrypt`, a decryption by the Python SDK that must be refused; raises
    AssertionError(`failure`) when it is not."""
    # The SDK logs the refusal it is expected to make, with a traceback: keep it quiet.
    logging.disable(logging.CRITICAL)
    try:
        decrypt()
    except Exception:  # noqa: BLE001 - any refusal is the expected outcome
        return
    finally:
        logging.disable(logging.NOTSET)
    raise AssertionError(failure)


def required_context_cases(runner, peer, keyring, keyring_args):
    """The required encryption context CMM, both ways: the required pairs are authenticated
    but not stored, and decryption needs them again."""
    plaintext = data(5000, "required-context")
    reproduced = {key: CONTEXT[key] for key in REQUIRED_KEYS}
    expected_stored = {key: value for key, value in CONTEXT.items() if key not in REQUIRED_KEYS}

    def ours_to_python_required(suite):
        plain, message_path = runner.path("plain"), runner.path("ours-required.msg")
        with open(plain, "wb") as file:
            file.write(plaintext)
        if os.path.exists(message_path):
            os.remove(message_path)
        runner.run_kms(["encrypt-file", *keyring_args, *context_args(), *required_args(),
                        "--suite", f"{suite:#06x}", "--frame-length", "4096", plain, message_path])
        with open(message_path, "rb") as file:
            message = file.read()
        cmm = peer.required_context_cmm(keyring, REQUIRED_KEYS)
        decrypted, header = peer.client.decrypt(
            source=message, materials_manager=cmm, encryption_context=reproduced)
        if decrypted != plaintext:
            raise AssertionError("Python decrypted other bytes")
        if stored_context(header.encryption_context) != expected_stored:
            raise AssertionError(f"stored context {dict(header.encryption_context)!r}")
        expect_python_refusal(lambda: peer.client.decrypt(source=message, materials_manager=cmm),
                              "Python decrypted without the required pairs")

    def python_to_ours_required(suite):
        message_path, out = runner.path("python-required.msg"), runner.path("decrypted")
        cmm = peer.required_context_cmm(keyring, REQUIRED_KEYS)
        message, header = peer.client.encrypt(
            source=plaintext, materials_manager=cmm, encryption_context=CONTEXT,
            algorithm=peer.algorithms[suite], frame_length=4096)
        if stored_context(header.encryption_context) != expected_stored:
            raise AssertionError(f"Python stored {dict(header.encryption_context)!r}")
        with open(message_path, "wb") as file:
            file.write(message)
        reproduced_args = []
        for key, value in reproduced.items():
            reproduced_args += ["--context", f"{key}={value}"]
        if os.path.exists(out):
            os.remove(out)
        runner.run_kms(["decrypt-file", *keyring_args, *reproduced_args, *required_args(),
                        message_path, out])
        with open(out, "rb") as file:
            if file.read() != plaintext:
                raise AssertionError("kms decrypted other bytes")
        # Without the required pairs, or with another value, nothing is written.
        expect_kms_failure(runner, ["decrypt-file", *keyring_args, *required_args(),
                                    message_path, out], out)
        expect_kms_failure(runner, ["decrypt-file", *keyring_args, "--context", "purpose=other",
                                    "--context", f"ключ={CONTEXT['ключ']}", message_path, out], out)

    for suite in SUITES:
        runner.case(f"required-context suite={suite:#06x} kms->python",
                    lambda: ours_to_python_required(suite))
        runner.case(f"required-context suite={suite:#06x} python->kms",
                    lambda: python_to_ours_required(suite))


def raw_cases(runner, peer):
    key_file = runner.path("raw.key")
    with open(key_file, "wb") as file:
        file.write(RAW_KEY)
    keyring = peer.raw_aes_keyring()
    keyring_args = ["--raw-aes-key-file", key_file, "--key-namespace", NAMESPACE, "--key-name", KEY_NAME]
    for suite in SUITES:
        for size in SIZES:
            for frame_length in FRAME_LENGTHS:
                if frame_length == 1 and size > MAX_SIZE_FOR_FRAME_1:
                    continue
                plaintext = data(size, f"{suite}-{size}-{frame_length}")
                label = f"raw-aes suite={suite:#06x} size={size} frame={frame_length}"
                runner.case(f"{label} kms->python", lambda: ours_to_python(
                    runner, peer, keyring, keyring_args, plaintext, suite, frame_length))
                python_frame = max(frame_length, PYTHON_MIN_FRAME_LENGTH)
                label = f"raw-aes suite={suite:#06x} size={size} frame={python_frame}"
                runner.case(f"{label} python->kms", lambda: python_to_ours(
                    runner, peer, keyring, keyring_args, plaintext, suite, python_frame))

    def wrong_key_fails():
        other = runner.path("other.key")
        with open(other, "wb") as file:
            file.write(bytes(32))
        message = peer.encrypt(keyring, b"secret", 0x0478, 4096)
        with open(runner.path("python.msg"), "wb") as file:
            file.write(message)
        args = ["decrypt-file", "--raw-aes-key-file", other, "--key-namespace", NAMESPACE,
                "--key-name", KEY_NAME, runner.path("python.msg"), runner.path("never")]
        result = subprocess.run([runner.kms, *args], capture_output=True, cwd=runner.workdir)
        if result.returncode != 1 or os.path.exists(runner.path("never")):
            raise AssertionError(f"a wrong key gave exit code {result.returncode}")

    runner.case("raw-aes a Python message under another key fails in kms (exit 1, no output)", wrong_key_fails)
    required_context_cases(runner, peer, keyring, keyring_args)


def kms_cases(runner, peer, endpoint):
    kms_client = boto3_kms(endpoint)
    first = kms_client.create_key(Description="interop first")["KeyMetadata"]["Arn"]
    second = kms_client.create_key(Description="interop second")["KeyMetadata"]["Arn"]
    url = ["--url", f"aws+{endpoint}"]
    for suite in SUITES:
        for size, frame_length in ((0, 4096), (4097, 4096), (1024 * 1024, 65536)):
            plaintext = data(size, f"kms-{suite}-{size}")
            label = f"aws-kms suite={suite:#06x} size={size} frame={frame_length}"
            keyring = peer.kms_keyring(kms_client, first)
            runner.case(f"{label} kms->python", lambda: ours_to_python(
                runner, peer, keyring, [*url, "--key-id", first], plaintext, suite, frame_length))
            runner.case(f"{label} python->kms", lambda: python_to_ours(
                runner, peer, keyring, [*url, "--key-id", first], plaintext, suite, frame_length))

    # Two keys: each side wraps under both, the other decrypts with the second key alone.
    plaintext = data(10000, "kms-two-keys")
    both = peer.kms_keyring(kms_client, first, [second])
    only_second = peer.kms_keyring(kms_client, second)
    runner.case("aws-kms two keys, kms->python with the second key alone", lambda: ours_to_python(
        runner, peer, only_second, [*url, "--key-id", first, "--key-id", second], plaintext, 0x0478, 4096))
    runner.case("aws-kms two keys, python->kms with the second key alone", lambda: python_to_ours(
        runner, peer, both, [*url, "--key-id", second], plaintext, 0x0478, 4096))

    # Discovery: the reader names no key, only the account whose keys it accepts.
    account = first.split(":")[4]
    discovery = [*url, "--discovery", "--discovery-account", account]
    runner.case("aws-kms discovery, kms->python (Python's discovery keyring)", lambda: ours_to_python(
        runner, peer, peer.kms_discovery_keyring(kms_client, account), [*url, "--key-id", second],
        plaintext, 0x0478, 4096))
    runner.case("aws-kms discovery, python->kms (kms decrypt-file --discovery)", lambda: python_to_ours(
        runner, peer, both, discovery, plaintext, 0x0578, 4096))


CURVES = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")


def boto3_kms(endpoint, region=None):
    """A boto3 KMS client of `endpoint` in `region` (default: $AWS_REGION, else us-east-1)."""
    import boto3

    return boto3.client(
        "kms",
        endpoint_url=endpoint,
        region_name=region or os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        aws_session_token=os.environ.get("AWS_SESSION_TOKEN", "testing"),
    )


def write_file(runner, name, contents):
    path = runner.path(name)
    with open(path, "wb") as file:
        file.write(contents)
    return path


def ec_key_pair(runner, curve, name):
    """A fresh key pair on `curve`, written as NAME.pem (PKCS#8) and NAME.der (SPKI); returns
    the PEM and DER bytes."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    python_curve = {"ECC_NIST_P256": ec.SECP256R1(), "ECC_NIST_P384": ec.SECP384R1(),
                    "ECC_NIST_P521": ec.SECP521R1()}[curve]
    key = ec.generate_private_key(python_curve)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    write_file(runner, f"{name}.pem", pem)
    write_file(runner, f"{name}.der", der)
    return pem, der


def der_to_pem(der):
    import base64

    body = base64.encodebytes(der).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{body}-----END PUBLIC KEY-----\n".encode()


def raw_ecdh_cases(runner, peer):
    """Raw ECDH both ways: static keys (Alice to Bob), an ephemeral sender, and public key
    discovery, on every curve, with both suites."""
    for curve in CURVES:
        alice_pem, alice_der = ec_key_pair(runner, curve, "alice")
        bob_pem, bob_der = ec_key_pair(runner, curve, "bob")
        ours_alice = ["--keyring", "raw-ecdh", "--curve", curve,
                      "--private-key-file", "alice.pem", "--public-key-file", "bob.der"]
        ours_bob = ["--keyring", "raw-ecdh", "--curve", curve,
                    "--private-key-file", "bob.pem", "--public-key-file", "alice.der"]
        ours_ephemeral = ["--keyring", "raw-ecdh-ephemeral", "--curve", curve,
                          "--public-key-file", "bob.der"]
        ours_discovery = ["--keyring", "raw-ecdh-discovery", "--curve", curve,
                          "--private-key-file", "bob.pem"]
        python_alice = peer.raw_ecdh_keyring(curve, sender_private_pem=alice_pem,
                                             recipient_public_der=bob_der)
        python_bob = peer.raw_ecdh_keyring(curve, sender_private_pem=bob_pem,
                                           recipient_public_der=alice_der)
        python_ephemeral = peer.raw_ecdh_keyring(curve, recipient_public_der=bob_der)
        python_discovery = peer.raw_ecdh_keyring(curve, recipient_private_pem=bob_pem)
        for suite in SUITES:
            for size in (0, 4097):
                plaintext = data(size, f"raw-ecdh-{curve}-{suite}-{size}")
                label = f"raw-ecdh {curve} suite={suite:#06x} size={size}"
                runner.case(f"{label} static kms->python static", lambda: ours_to_python(
                    runner, peer, python_bob, ours_alice, plaintext, suite, 4096))
                runner.case(f"{label} static kms->python discovery", lambda: ours_to_python(
                    runner, peer, python_discovery, ours_alice, plaintext, suite, 4096))
                runner.case(f"{label} static python->kms static", lambda: python_to_ours(
                    runner, peer, python_alice, ours_bob, plaintext, suite, 4096))
                runner.case(f"{label} static python->kms discovery", lambda: python_to_ours(
                    runner, peer, python_alice, ours_discovery, plaintext, suite, 4096))
            plaintext = data(5000, f"raw-ecdh-ephemeral-{curve}-{suite}")
            label = f"raw-ecdh {curve} suite={suite:#06x} ephemeral"
            runner.case(f"{label} kms->python discovery", lambda: ours_to_python(
                runner, peer, python_discovery, ours_ephemeral, plaintext, suite, 4096))
            runner.case(f"{label} python->kms discovery", lambda: python_to_ours(
                runner, peer, python_ephemeral, ours_discovery, plaintext, suite, 4096))

    def other_recipient_fails():
        curve = "ECC_NIST_P256"
        ec_key_pair(runner, curve, "carol")
        _, bob_der = ec_key_pair(runner, curve, "bob")
        message = peer.encrypt(peer.raw_ecdh_keyring(curve, recipient_public_der=bob_der),
                               b"for Bob", 0x0478, 4096)
        path = write_file(runner, "python.msg", message)
        expect_kms_failure(runner, ["decrypt-file", "--keyring", "raw-ecdh-discovery", "--curve",
                                    curve, "--private-key-file", "carol.pem", path,
                                    runner.path("never")], runner.path("never"))

    runner.case("raw-ecdh a Python message to Bob fails for Carol in kms (exit 1, no output)",
                other_recipient_fails)


def kms_rsa_cases(runner, peer, endpoint):
    """The AWS KMS RSA keyring both ways, with both OAEP paddings; ours encrypts with the
    public key fetched from KMS and with one from a file (offline)."""
    kms_client = boto3_kms(endpoint)
    url = ["--url", f"aws+{endpoint}"]
    arn = kms_client.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT",
                                Description="interop rsa")["KeyMetadata"]["Arn"]
    der = kms_client.get_public_key(KeyId=arn)["PublicKey"]
    write_file(runner, "rsa.der", der)
    for algorithm in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
        keyring = peer.kms_rsa_keyring(kms_client, arn, algorithm, der_to_pem(der))
        ours = [*url, "--keyring", "kms-rsa", "--key-id", arn, "--encryption-algorithm", algorithm]
        for size, frame_length in ((0, 4096), (4097, 4096), (1024 * 1024, 65536)):
            plaintext = data(size, f"kms-rsa-{algorithm}-{size}")
            label = f"aws-kms-rsa {algorithm} size={size} frame={frame_length}"
            runner.case(f"{label} kms->python", lambda: ours_to_python(
                runner, peer, keyring, ours, plaintext, 0x0478, frame_length))
            runner.case(f"{label} python->kms", lambda: python_to_ours(
                runner, peer, keyring, ours, plaintext, 0x0478, frame_length))
        offline = ["--keyring", "kms-rsa", "--key-id", arn, "--encryption-algorithm", algorithm,
                   "--public-key-file", "rsa.der"]
        plaintext = data(3000, f"kms-rsa-offline-{algorithm}")
        runner.case(f"aws-kms-rsa {algorithm} offline public key file kms->python",
                    lambda: ours_to_python(runner, peer, keyring, offline, plaintext, 0x0478, 4096))

    def signed_suite_refused():
        plain = write_file(runner, "plain", b"signed")
        args = ["encrypt-file", *url, "--keyring", "kms-rsa", "--key-id", arn, "--suite",
                "0x0578", plain, runner.path("never")]
        result = subprocess.run([runner.kms, *args], capture_output=True, cwd=runner.workdir)
        if result.returncode != 252 or os.path.exists(runner.path("never")):
            raise AssertionError(f"a signed suite gave exit code {result.returncode}, not 252")

    runner.case("aws-kms-rsa refuses a signed suite in kms (exit 252), as the SDK does",
                signed_suite_refused)


def kms_ecdh_cases(runner, peer, endpoint):
    """The AWS KMS ECDH keyring both ways, static and discovery, and with raw ECDH parties."""
    kms_client = boto3_kms(endpoint)
    url = ["--url", f"aws+{endpoint}"]
    for curve in CURVES:
        def agreement_key(name):
            arn = kms_client.create_key(KeySpec=curve, KeyUsage="KEY_AGREEMENT",
                                        Description=f"interop ecdh {name}")["KeyMetadata"]["Arn"]
            der = kms_client.get_public_key(KeyId=arn)["PublicKey"]
            write_file(runner, f"{name}.der", der)
            return arn, der

        alice, alice_der = agreement_key("kms-alice")
        bob, bob_der = agreement_key("kms-bob")
        ours_alice = [*url, "--keyring", "kms-ecdh", "--curve", curve, "--key-id", alice,
                      "--public-key-file", "kms-bob.der"]
        ours_bob = [*url, "--keyring", "kms-ecdh", "--curve", curve, "--key-id", bob,
                    "--public-key-file", "kms-alice.der"]
        ours_bob_discovery = [*url, "--keyring", "kms-ecdh-discovery", "--curve", curve,
                              "--key-id", bob]
        python_alice = peer.kms_ecdh_keyring(kms_client, curve, sender_arn=alice,
                                             recipient_public_der=bob_der)
        python_bob = peer.kms_ecdh_keyring(kms_client, curve, sender_arn=bob,
                                           recipient_public_der=alice_der)
        python_bob_discovery = peer.kms_ecdh_keyring(kms_client, curve, recipient_arn=bob)
        for suite in SUITES:
            plaintext = data(4097, f"kms-ecdh-{curve}-{suite}")
            label = f"aws-kms-ecdh {curve} suite={suite:#06x}"
            runner.case(f"{label} static kms->python static", lambda: ours_to_python(
                runner, peer, python_bob, ours_alice, plaintext, suite, 4096))
            runner.case(f"{label} static kms->python discovery", lambda: ours_to_python(
                runner, peer, python_bob_discovery, ours_alice, plaintext, suite, 4096))
            runner.case(f"{label} static python->kms static", lambda: python_to_ours(
                runner, peer, python_alice, ours_bob, plaintext, suite, 4096))
            runner.case(f"{label} static python->kms discovery", lambda: python_to_ours(
                runner, peer, python_alice, ours_bob_discovery, plaintext, suite, 4096))
        # Raw senders to the KMS key: the discovery keyrings read `raw-ecdh` keys too.
        ours_raw_to_bob = ["--keyring", "raw-ecdh-ephemeral", "--curve", curve,
                           "--public-key-file", "kms-bob.der"]
        python_raw_to_bob = peer.raw_ecdh_keyring(curve, recipient_public_der=bob_der)
        plaintext = data(1000, f"kms-ecdh-raw-{curve}")
        label = f"aws-kms-ecdh {curve} raw ephemeral sender"
        runner.case(f"{label} kms->python discovery", lambda: ours_to_python(
            runner, peer, python_bob_discovery, ours_raw_to_bob, plaintext, 0x0478, 4096))
        runner.case(f"{label} python->kms discovery", lambda: python_to_ours(
            runner, peer, python_raw_to_bob, ours_bob_discovery, plaintext, 0x0478, 4096))


def mrk_cases(runner, peer, endpoint):
    """The AWS KMS MRK keyrings across two Regions of one endpoint: a multi-Region key made in
    us-east-1 and replicated to us-west-2, each side encrypting under the primary and the
    other decrypting with the replica (strict and discovery keyrings), and the refusals."""
    east, west = boto3_kms(endpoint, "us-east-1"), boto3_kms(endpoint, "us-west-2")

    def multi_region_key(description):
        primary = east.create_key(MultiRegion=True, Description=description)["KeyMetadata"]["Arn"]
        replica = east.replicate_key(KeyId=primary, ReplicaRegion="us-west-2")
        replica = replica["ReplicaKeyMetadata"]["Arn"]
        # The same key ID in the other Region.
        if replica != primary.replace(":us-east-1:", ":us-west-2:"):
            raise AssertionError(f"{replica} is not the us-west-2 replica of {primary}")
        return primary, replica

    primary, replica = multi_region_key("interop mrk")
    _, unrelated_replica = multi_region_key("interop unrelated mrk")
    single_region = east.create_key(Description="interop single-Region")["KeyMetadata"]["Arn"]
    print(f"primary {primary}, replica {replica}", flush=True)
    account = primary.split(":")[4]
    url = ["--url", f"aws+{endpoint}"]
    in_east, in_west = [*url, "--region", "us-east-1"], [*url, "--region", "us-west-2"]
    python_primary = peer.kms_mrk_keyring(east, primary)
    python_replica = peer.kms_mrk_keyring(west, replica)
    python_discovery = peer.kms_mrk_discovery_keyring(west, "us-west-2", account)

    for suite in SUITES:
        plaintext = data(4097, f"mrk-{suite}")
        label = f"aws-kms-mrk suite={suite:#06x}"
        runner.case(f"{label} python us-east-1 primary -> kms us-west-2 --mrk-key-id replica",
                    lambda: python_to_ours(runner, peer, python_primary,
                                           [*in_west, "--mrk-key-id", replica],
                                           plaintext, suite, 4096))
        runner.case(f"{label} python us-east-1 primary -> kms us-west-2 --mrk-discovery",
                    lambda: python_to_ours(runner, peer, python_primary,
                                           [*in_west, "--mrk-discovery"], plaintext, suite, 4096))
        runner.case(f"{label} kms us-east-1 primary -> python us-west-2 MRK keyring, replica",
                    lambda: ours_to_python(runner, peer, python_replica,
                                           [*in_east, "--key-id", primary],
                                           plaintext, suite, 4096))
        runner.case(f"{label} kms us-east-1 primary -> python us-west-2 MRK discovery keyring",
                    lambda: ours_to_python(runner, peer, python_discovery,
                                           [*in_east, "--key-id", primary],
                                           plaintext, suite, 4096))

    def kms_refuses_an_unrelated_mrk():
        message = peer.encrypt(python_primary, b"for the primary's set", 0x0478, 4096)
        path = write_file(runner, "python.msg", message)
        expect_kms_failure(runner, ["decrypt-file", *in_west, "--mrk-key-id", unrelated_replica,
                                    path, runner.path("never")], runner.path("never"))

    def ours_encrypted(key_arn, plaintext):
        """A message that `kms encrypt-file` writes in us-east-1 under `key_arn`."""
        plain, message_path = write_file(runner, "plain", plaintext), runner.path("ours.msg")
        if os.path.exists(message_path):
            os.remove(message_path)
        runner.run_kms(["encrypt-file", *in_east, "--key-id", key_arn, plain, message_path])
        with open(message_path, "rb") as file:
            return file.read()

    def python_refuses_an_unrelated_mrk():
        message = ours_encrypted(primary, b"for the primary's set")
        unrelated = peer.kms_mrk_keyring(west, unrelated_replica)
        expect_python_refusal(lambda: peer.decrypt(unrelated, message),
                              "Python's MRK keyring of an unrelated key decrypted")

    def python_discovery_keeps_single_region_keys_home():
        # A single-Region key is not multi-Region: the discovery keyring of us-west-2 does
        # not call us-east-1 for it.
        message = ours_encrypted(single_region, b"single-Region")
        expect_python_refusal(lambda: peer.decrypt(python_discovery, message),
                              "Python's MRK discovery keyring of us-west-2 decrypted with a "
                              "single-Region key of us-east-1")

    runner.case("aws-kms-mrk python primary -> kms --mrk-key-id of an unrelated MRK fails "
                "(exit 1, no output)", kms_refuses_an_unrelated_mrk)
    runner.case("aws-kms-mrk kms primary -> python MRK keyring of an unrelated MRK fails",
                python_refuses_an_unrelated_mrk)
    runner.case("aws-kms-mrk kms single-Region key of us-east-1 -> python MRK discovery keyring "
                "of us-west-2 fails", python_discovery_keeps_single_region_keys_home)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("raw", "kms", "raw-ecdh", "kms-rsa", "kms-ecdh", "mrk"),
                        help="which keyring to test")
    parser.add_argument("--kms", default=os.path.join(ROOT, "target", "debug", "kms"),
                        help="the kms binary (default: target/debug/kms)")
    parser.add_argument("--endpoint",
                        default=os.environ.get("KMS_TEST_MOTO_URL") or os.environ.get("KMS_TEST_SERVE_URL"),
                        help="the KMS endpoint of the kms mode "
                             "(default: $KMS_TEST_MOTO_URL, else $KMS_TEST_SERVE_URL)")
    options = parser.parse_args()
    # The cases run the binary from a temporary directory.
    options.kms = os.path.abspath(options.kms)

    if not os.access(options.kms, os.X_OK):
        print(f"FAIL the kms binary {options.kms} is missing: build it with `cargo build -p kms-cli`")
        print("0 passed, 1 failed")
        return 1
    try:
        peer = Peer()
    except Exception as error:  # noqa: BLE001 - a missing peer is a failure, never a skip
        print(f"FAIL the Python AWS Encryption SDK cannot be used: {type(error).__name__}: {error}")
        print("(install it with scripts/peers-venv.sh and run this with .venv/bin/python)")
        print("0 passed, 1 failed")
        return 1
    print(f"aws-encryption-sdk {peer.sdk.__version__}, kms binary {options.kms}", flush=True)

    with tempfile.TemporaryDirectory(prefix="esdk-interop-") as workdir:
        runner = Runner(options.kms, workdir)
        if options.mode == "raw":
            raw_cases(runner, peer)
        elif options.mode == "raw-ecdh":
            raw_ecdh_cases(runner, peer)
        elif not options.endpoint:
            print("FAIL no KMS endpoint: pass --endpoint, or run this under scripts/with-moto.sh "
                  "or scripts/with-kms-serve.sh")
            runner.failed += 1
        else:
            print(f"KMS endpoint {options.endpoint}", flush=True)
            cases = {"kms": kms_cases, "kms-rsa": kms_rsa_cases, "kms-ecdh": kms_ecdh_cases,
                     "mrk": mrk_cases}
            cases[options.mode](runner, peer, options.endpoint)
    print(f"{runner.passed} passed, {runner.failed} failed", flush=True)
    return 1 if runner.failed or not runner.passed else 0


if __name__ == "__main__":
    sys.exit(main())
