#!/usr/bin/env python3
"""Python's `cryptography` (pinned in scripts/requirements-peers.txt) wraps key material for
`ImportKeyMaterial` against a KMS endpoint, through boto3: every wrapping algorithm, for every
key type that takes imported material, and the key then proves it holds that material.

    .venv/bin/python scripts/peers/import_peer.py [ENDPOINT_URL]

ENDPOINT_URL defaults to $KMS_TEST_SERVE_URL (scripts/with-kms-serve.sh sets it).

For each wrapping algorithm (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1,
RSA_AES_KEY_WRAP_SHA_256), with an RSA_2048 wrapping key:
- a SYMMETRIC_DEFAULT key imports 32 random bytes; Encrypt then Decrypt round-trips, and the
  key's ciphertext decrypts again after DeleteImportedKeyMaterial and a re-import;
- an HMAC_256 key imports 48 bytes; GenerateMac equals the HMAC computed here;
- ECC_NIST_P256, ECC_NIST_P384, ECC_SECG_P256K1 and RSA_2048 keys import a private key made
  here as PKCS#8 DER; GetPublicKey is its public key and Sign verifies here. RSA material
  only with the RSA_AES algorithms, as AWS requires (RSAES_OAEP is refused and checked so).

Prints one line per step and a final 'N passed, N failed' line; stops at the first failure
and exits 1, also when boto3 or cryptography cannot be imported or no endpoint is given.
"""

import argparse
import hashlib
import hmac
import os
import sys

ALGORITHMS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
              "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"]


class Failure(Exception):
    """A check that did not hold."""


def check(condition, what):
    if not condition:
        raise Failure(what)


class Peer:
    """The checks, against one boto3 client."""

    def __init__(self, kms):
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
        from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
        global ClientError  # noqa: PLW0603 - botocore is imported only once it is known present
        from botocore.exceptions import ClientError
        self.kms = kms
        self.hashes, self.serialization = hashes, serialization
        self.ec, self.padding, self.rsa = ec, padding, rsa
        self.key_wrap = aes_key_wrap_with_padding
        self.keys = []

    def create(self, spec, usage):
        key = self.kms.create_key(KeySpec=spec, KeyUsage=usage, Origin="EXTERNAL")["KeyMetadata"]
        self.keys.append(key["KeyId"])
        check(key["KeyState"] == "PendingImport", f"{spec}: KeyState {key['KeyState']}")
        check(key["Origin"] == "EXTERNAL", f"{spec}: Origin {key['Origin']}")
        return key["KeyId"]

    def wrap(self, algorithm, public_der, material):
        """The material wrapped as AWS's import guide says, with `cryptography`."""
        public = self.serialization.load_der_public_key(public_der)
        digest = self.hashes.SHA1() if algorithm.endswith("SHA_1") else self.hashes.SHA256()
        oaep = self.padding.OAEP(mgf=self.padding.MGF1(digest), algorithm=digest, label=None)
        if algorithm.startswith("RSAES_OAEP"):
            return public.encrypt(material, oaep)
        aes_key = os.urandom(32)
        return public.encrypt(aes_key, oaep) + self.key_wrap(aes_key, material)

    def import_material(self, key_id, algorithm, material, wrapping_key_spec="RSA_2048"):
        params = self.kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=wrapping_key_spec)
        public = self.serialization.load_der_public_key(params["PublicKey"])
        check(isinstance(public, self.rsa.RSAPublicKey), "the wrapping key is not RSA")
        wrapped = self.wrap(algorithm, params["PublicKey"], material)
        answer = self.kms.import_key_material(
            KeyId=key_id, ImportToken=params["ImportToken"], EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
        check(answer["KeyId"].endswith(key_id), f"ImportKeyMaterial KeyId {answer['KeyId']}")
        state = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        check(state == "Enabled", f"KeyState after the import: {state}")

    def symmetric(self, algorithm):
        key_id = self.create("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
        material = os.urandom(32)
        self.import_material(key_id, algorithm, material)
        blob = self.kms.encrypt(KeyId=key_id, Plaintext=b"imported")["CiphertextBlob"]
        check(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported", "Decrypt")
        self.kms.delete_imported_key_material(KeyId=key_id)
        state = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        check(state == "PendingImport", f"KeyState after DeleteImportedKeyMaterial: {state}")
        self.import_material(key_id, algorithm, material)
        check(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported",
              "Decrypt after the re-import")

    def hmac_key(self, algorithm):
        key_id = self.create("HMAC_256", "GENERATE_VERIFY_MAC")
        material = os.urandom(48)
        self.import_material(key_id, algorithm, material)
        mac = self.kms.generate_mac(KeyId=key_id, Message=b"message",
                                    MacAlgorithm="HMAC_SHA_256")["Mac"]
        check(mac == hmac.new(material, b"message", hashlib.sha256).digest(),
              "GenerateMac is not the HMAC of the imported material")

    def private_key(self, spec):
        curves = {"ECC_NIST_P256": self.ec.SECP256R1(), "ECC_NIST_P384": self.ec.SECP384R1(),
                  "ECC_SECG_P256K1": self.ec.SECP256K1()}
        if spec in curves:
            return self.ec.generate_private_key(curves[spec])
        return self.rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def asymmetric(self, spec, algorithm):
        key_id = self.create(spec, "SIGN_VERIFY")
        private = self.private_key(spec)
        pkcs8 = private.private_bytes(self.serialization.Encoding.DER,
                                      self.serialization.PrivateFormat.PKCS8,
                                      self.serialization.NoEncryption())
        spki = private.public_key().public_bytes(
            self.serialization.Encoding.DER,
            self.serialization.PublicFormat.SubjectPublicKeyInfo)
        if spec.startswith("RSA") and algorithm.startswith("RSAES_OAEP"):
            try:
                self.kms.get_parameters_for_import(
                    KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048")
            except ClientError as error:
                code = error.response["Error"]["Code"]
                check(code == "ValidationException", f"RSA material with {algorithm}: {code}")
                return "refused, as AWS refuses RSA material under RSAES_OAEP"
            raise Failure(f"RSA material with {algorithm} was not refused")
        self.import_material(key_id, algorithm, pkcs8)
        public = self.kms.get_public_key(KeyId=key_id)["PublicKey"]
        check(public == spki, "GetPublicKey is not the imported key's public key")
        if spec.startswith("RSA"):
            sign_algorithm, scheme = "RSASSA_PKCS1_V1_5_SHA_256", self.padding.PKCS1v15()
            signature = self.kms.sign(KeyId=key_id, Message=b"message", MessageType="RAW",
                                      SigningAlgorithm=sign_algorithm)["Signature"]
            private.public_key().verify(signature, b"message", scheme, self.hashes.SHA256())
        else:
            sign_algorithm = "ECDSA_SHA_384" if spec == "ECC_NIST_P384" else "ECDSA_SHA_256"
            digest = self.hashes.SHA384() if spec == "ECC_NIST_P384" else self.hashes.SHA256()
            signature = self.kms.sign(KeyId=key_id, Message=b"message", MessageType="RAW",
                                      SigningAlgorithm=sign_algorithm)["Signature"]
            private.public_key().verify(signature, b"message", self.ec.ECDSA(digest))
        return "imported, GetPublicKey and Sign match"

    def steps(self):
        for algorithm in ALGORITHMS:
            self.symmetric(algorithm)
            yield f"{algorithm}: SYMMETRIC_DEFAULT imports, encrypts, re-imports after deletion"
            self.hmac_key(algorithm)
            yield f"{algorithm}: HMAC_256 MACs with the imported material"
            for spec in ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_SECG_P256K1", "RSA_2048"]:
                yield f"{algorithm}: {spec} {self.asymmetric(spec, algorithm)}"

    def clean_up(self):
        for key_id in self.keys:
            self.kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("endpoint", nargs="?")
    args = parser.parse_args()
    endpoint = args.endpoint or os.environ.get("KMS_TEST_SERVE_URL")
    passed = 0
    try:
        if not endpoint:
            raise Failure("no endpoint: pass its URL, or run this under scripts/with-kms-serve.sh")
        try:
            import boto3
            import cryptography
            from botocore.config import Config
        except ImportError as error:
            raise Failure(f"boto3 or cryptography cannot be imported ({error}): run this with "
                          ".venv/bin/python after scripts/peers-venv.sh") from error
        kms = boto3.client(
            "kms",
            endpoint_url=endpoint,
            region_name=os.environ.get("AWS_REGION", "us-east-1"),
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        print(f"cryptography {cryptography.__version__}, boto3 {boto3.__version__} against "
              f"{endpoint}", flush=True)
        peer = Peer(kms)
        for name in peer.steps():
            passed += 1
            print(f"ok   {name}", flush=True)
        peer.clean_up()
    except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
        print(f"FAIL {type(error).__name__}: {error}")
        print(f"{passed} passed, 1 failed")
        return 1
    print(f"{passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
