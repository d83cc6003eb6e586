#!/usr/bin/env python3
"""boto3 (pinned in scripts/requirements-peers.txt) against a KMS endpoint: creates a key,
encrypts, decrypts without naming the key, compares, and checks the error codes of a missing
alias (NotFoundException) and of an altered ciphertext (InvalidCiphertextException).

    .venv/bin/python scripts/peers/boto3_client.py [ENDPOINT_URL]   # default: $KMS_TEST_SERVE_URL

Prints one line per step and a final 'N passed, N failed' line; stops at the first failure and
exits 1, also when boto3 cannot be imported or no endpoint is given (never skips).
"""

import os
import sys


class Failure(Exception):
    """A step whose answer is not AWS's."""


def expect_error(call, code):
    """Runs `call`, which must fail with the service error `code`."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as error:
        got = error.response.get("Error", {}).get("Code")
        if got != code:
            raise Failure(f"failed with {got}, not {code}: {error}") from error
        return error
    raise Failure(f"succeeded where AWS answers {code}")


def steps(kms):
    """Yields the name of each step once it passed."""
    created = kms.create_key(Description="boto3 peer")["KeyMetadata"]
    arn = created["Arn"]
    if created["KeyState"] != "Enabled" or not arn.endswith(":key/" + created["KeyId"]):
        raise Failure(f"create_key returned {created!r}")
    yield f"create_key: {arn}"

    plaintext = bytes(range(256))
    context = {"peer": "boto3"}
    encrypted = kms.encrypt(KeyId=arn, Plaintext=plaintext, EncryptionContext=context)
    if encrypted["KeyId"] != arn or encrypted.get("EncryptionAlgorithm") != "SYMMETRIC_DEFAULT":
        raise Failure(f"encrypt answered KeyId {encrypted['KeyId']!r}, "
                      f"EncryptionAlgorithm {encrypted.get('EncryptionAlgorithm')!r}")
    blob = encrypted["CiphertextBlob"]
    yield "encrypt of 256 bytes with an encryption context"

    decrypted = kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
    if decrypted["Plaintext"] != plaintext:
        raise Failure("decrypt returned other bytes than the plaintext")
    if decrypted["KeyId"] != arn:
        raise Failure(f"decrypt named the key {decrypted['KeyId']!r}")
    yield "decrypt without a key id: the same bytes, under the same key"

    error = expect_error(lambda: kms.describe_key(KeyId="alias/boto3-no-such-alias"), "NotFoundException")
    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
    if not error.response["ResponseMetadata"].get("RequestId"):
        raise Failure("the error response has no request id (x-amzn-RequestId)")
    yield f"describe_key of a missing alias: NotFoundException (HTTP {status}, with a request id)"

    altered = bytearray(blob)
    altered[-1] ^= 1
    expect_error(lambda: kms.decrypt(CiphertextBlob=bytes(altered), EncryptionContext=context),
                 "InvalidCiphertextException")
    yield "decrypt of an altered ciphertext: InvalidCiphertextException"


def main():
    endpoint = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("KMS_TEST_SERVE_URL")
    passed = 0
    try:
        if not endpoint:
            raise Failure("no endpoint: pass its URL, or run this under scripts/with-kms-serve.sh")
        try:
            import boto3
            from botocore.config import Config
        except ImportError as error:
            raise Failure(f"boto3 cannot be imported ({error}): run this with .venv/bin/python "
                          "after scripts/peers-venv.sh") from error
        kms = boto3.client(
            "kms",
            endpoint_url=endpoint,
            region_name=os.environ.get("AWS_REGION", "us-east-1"),
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
            # One attempt: an error must come from the endpoint's first answer.
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        print(f"boto3 {boto3.__version__} against {endpoint}", flush=True)
        for name in steps(kms):
            passed += 1
            print(f"ok   {name}", flush=True)
    except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
        print(f"FAIL {type(error).__name__}: {error}")
        print(f"{passed} passed, 1 failed")
        return 1
    print(f"{passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
