#!/usr/bin/env python3
"""Python's `cryptography` (pinned in scripts/requirements-peers.txt) against a KMS endpoint,
through boto3: every key kind's public key, signature, ciphertext, shared secret, MAC and data
key pair, checked by an independent implementation.

    .venv/bin/python scripts/peers/asymmetric_peer.py [ENDPOINT_URL] [--seed FILE]
        [--skip-unsupported-by-moto]

ENDPOINT_URL defaults to $KMS_TEST_SERVE_URL (scripts/with-kms-serve.sh sets it), or
$KMS_TEST_MOTO_URL with --skip-unsupported-by-moto (scripts/with-moto.sh). With --seed, the
endpoint was started on that seed file (scripts/peers/asymmetric_peer_seed.toml) and the peer
checks the seeded keys against their known material: HMAC of the HMAC keys, the public key
and signatures of the ECC_NIST_P256 key, Encrypt of the RSA_3072 and RSA_4096 keys decrypted
with their private keys. Without --seed the seeded checks are skipped, and say so.

What is checked, per key kind:
- GetPublicKey of every asymmetric spec loads with `load_der_public_key` as the right key type
  and size and is its canonical DER SubjectPublicKeyInfo; for ML-KEM-512, which `cryptography`
  lacks, the SPKI's algorithm OID and key length are read from the DER by hand.
- Sign: every algorithm verifies in `cryptography` for RAW and DIGEST messages (ECDSA on
  P-256/384/521 and secp256k1, RSASSA-PSS with the salt as long as the hash, RSASSA-PKCS1 v1.5,
  each with SHA-256/384/512; Ed25519 RAW; ML-DSA-44/65/87 RAW and EXTERNAL_MU with the mu
  computed here). `cryptography` has no Ed25519ph: ED25519_PH_SHA_512 is not checked here.
- RSA: OAEP SHA-1 and SHA-256 ciphertexts made here, of the largest plaintext each key size
  takes, decrypt in KMS.
- ECDH: DeriveSharedSecret with a public key made here equals the shared secret computed here.
- ML-KEM-768/1024: a ciphertext encapsulated here decapsulates in KMS to the same secret.
- Data key pairs of every spec: the PKCS#8 private key loads with `load_der_private_key` (ML-KEM
  in seed form) and its public key is the pair's SPKI; the encrypted private key decrypts only
  with its encryption context. ML-KEM-512: OIDs and the seed form by hand.

Prints one line per step and a final 'N passed, N failed, N skipped' line; stops at the first
failure and exits 1, also when boto3 or cryptography cannot be imported or no endpoint is given
(never skips silently: every skipped check is printed with its reason).
"""

import argparse
import base64
import hashlib
import hmac
import os
import sys
import tomllib

# What moto 5.2.5 (moto/kms/models.py, responses.py, utils.py) does not implement as AWS does,
# skipped with --skip-unsupported-by-moto. Each entry: (check, moto's behaviour).
MOTO_SKIPS = [
    ("ECC_NIST_EDWARDS25519, ML_DSA_*, ML_KEM_* keys",
     "its KeySpec enum lacks them: CreateKey answers ValidationException"),
    ("KEY_AGREEMENT keys and DeriveSharedSecret", "no DeriveSharedSecret operation"),
    ("Encapsulate / Decapsulate", "neither operation exists"),
    ("GenerateDataKeyPair[WithoutPlaintext]", "neither operation exists"),
    ("RSA Encrypt/Decrypt with OAEP",
     "Encrypt uses the key's symmetric material whatever the key spec and ignores "
     "EncryptionAlgorithm, so an OAEP ciphertext made with the public key does not decrypt"),
    ("MessageType DIGEST", "MessageType is ignored: a digest is signed as a raw message"),
    ("RSASSA_PSS_* verification",
     "PSS signs with the maximal salt length, not the hash length AWS uses"),
    ("the seeded keys (HMAC against known material, fixed public keys)",
     "no seed files"),
]

HASH_NAMES = {"SHA_256": "SHA256", "SHA_384": "SHA384", "SHA_512": "SHA512"}

SIGNING_SPECS = {
    "ECC_NIST_P256": ["ECDSA_SHA_256"],
    "ECC_NIST_P384": ["ECDSA_SHA_384"],
    "ECC_NIST_P521": ["ECDSA_SHA_512"],
    "ECC_SECG_P256K1": ["ECDSA_SHA_256"],
    "RSA_2048": [f"RSASSA_{p}_SHA_{n}" for p in ("PSS", "PKCS1_V1_5") for n in (256, 384, 512)],
    "ECC_NIST_EDWARDS25519": ["ED25519_SHA_512"],
    "ML_DSA_44": ["ML_DSA_SHAKE_256"],
    "ML_DSA_65": ["ML_DSA_SHAKE_256"],
    "ML_DSA_87": ["ML_DSA_SHAKE_256"],
}
MOTO_SPECS = {"ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "RSA_2048"}

CURVES = {
    "ECC_NIST_P256": "secp256r1",
    "ECC_NIST_P384": "secp384r1",
    "ECC_NIST_P521": "secp521r1",
    "ECC_SECG_P256K1": "secp256k1",
}

# The SPKI / PKCS#8 algorithm OIDs of the post-quantum specs and their raw public key lengths.
PQ_OIDS = {
    "ML_DSA_44": ("2.16.840.1.101.3.4.3.17", 1312),
    "ML_DSA_65": ("2.16.840.1.101.3.4.3.18", 1952),
    "ML_DSA_87": ("2.16.840.1.101.3.4.3.19", 2592),
    "ML_KEM_512": ("2.16.840.1.101.3.4.4.1", 800),
    "ML_KEM_768": ("2.16.840.1.101.3.4.4.2", 1184),
    "ML_KEM_1024": ("2.16.840.1.101.3.4.4.3", 1568),
}

# The largest plaintext of RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256 per key size.
OAEP_LIMITS = {"RSA_2048": (214, 190), "RSA_3072": (342, 318), "RSA_4096": (470, 446)}

MESSAGE = b"a message signed through kms serve, checked by cryptography"


def is_arn_of(answered, requested):
    """Whether `answered` is the key ARN of the key `requested` names (by ARN or key ID)."""
    return answered == requested or (answered.startswith("arn:")
                                     and answered.endswith(":key/" + requested))


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
        return
    raise Failure(f"succeeded where AWS answers {code}")


# ---- A minimal DER reader: the algorithm OID of an SPKI or PKCS#8, for what `cryptography`
# cannot load (ML-KEM-512).

def der_element(data, tag):
    """The contents of the DER element with `tag` at the start of `data`, and the rest."""
    if len(data) < 2 or data[0] != tag:
        raise Failure(f"expected DER tag 0x{tag:02x}, got {data[:1].hex() or 'nothing'}")
    length, offset = data[1], 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[2:2 + count], "big")
        offset = 2 + count
    if len(data) < offset + length:
        raise Failure("a DER element is cut short")
    return data[offset:offset + length], data[offset + length:]


def dotted_oid(contents):
    """The dotted form of an OBJECT IDENTIFIER's contents."""
    arcs, value = [], 0
    for byte in contents:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            if not arcs:
                first = min(value // 40, 2)
                arcs += [first, value - 40 * first]
            else:
                arcs.append(value)
            value = 0
    return ".".join(map(str, arcs))


def spki_parts(der):
    """The algorithm OID and the raw public key of a DER SubjectPublicKeyInfo."""
    spki, rest = der_element(der, 0x30)
    if rest:
        raise Failure("bytes after the SubjectPublicKeyInfo")
    algorithm, rest = der_element(spki, 0x30)
    bits, _ = der_element(rest, 0x03)
    oid, _ = der_element(algorithm, 0x06)
    return dotted_oid(oid), bits[1:]


def pkcs8_parts(der):
    """The algorithm OID and the privateKey contents of a DER PKCS#8 PrivateKeyInfo."""
    info, _ = der_element(der, 0x30)
    _, rest = der_element(info, 0x02)
    algorithm, rest = der_element(rest, 0x30)
    private_key, _ = der_element(rest, 0x04)
    oid, _ = der_element(algorithm, 0x06)
    return dotted_oid(oid), private_key


class Peer:
    """The checks, against one endpoint."""

    def __init__(self, kms, seed, moto):
        self.kms = kms
        self.seed = seed
        self.moto = moto
        self.skipped = []
        self.keys = []
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, padding
        from cryptography.hazmat.primitives.asymmetric import rsa, utils

        self.hashes, self.serialization = hashes, serialization
        self.ec, self.ed25519, self.mldsa, self.mlkem = ec, ed25519, mldsa, mlkem
        self.padding, self.rsa, self.utils = padding, rsa, utils

    # ---- helpers

    def skip(self, what, reason):
        self.skipped.append((what, reason))

    def create(self, spec, usage):
        metadata = self.kms.create_key(KeySpec=spec, KeyUsage=usage,
                                       Description="asymmetric peer")["KeyMetadata"]
        self.keys.append(metadata["KeyId"])
        return metadata["Arn"]

    def spki_bytes(self, public_key):
        s = self.serialization
        return public_key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)

    def hash_of(self, algorithm):
        return getattr(self.hashes, HASH_NAMES[algorithm[-7:]])()

    def load_public(self, spec, der):
        """Loads `der` as the public key of `spec`, checking its type and that it is the
        canonical SPKI; None for ML-KEM-512 (checked by hand)."""
        if spec == "ML_KEM_512":
            oid, raw = spki_parts(der)
            if (oid, len(raw)) != PQ_OIDS[spec]:
                raise Failure(f"{spec} public key: OID {oid} with {len(raw)} bytes, "
                              f"expected {PQ_OIDS[spec]}")
            return None
        public_key = self.serialization.load_der_public_key(der)
        expected = {
            "ECC_NIST_EDWARDS25519": self.ed25519.Ed25519PublicKey,
            "ML_DSA_44": self.mldsa.MLDSA44PublicKey,
            "ML_DSA_65": self.mldsa.MLDSA65PublicKey,
            "ML_DSA_87": self.mldsa.MLDSA87PublicKey,
            "ML_KEM_768": self.mlkem.MLKEM768PublicKey,
            "ML_KEM_1024": self.mlkem.MLKEM1024PublicKey,
        }
        if spec.startswith("RSA_"):
            right = (isinstance(public_key, self.rsa.RSAPublicKey)
                     and public_key.key_size == int(spec[4:]))
        elif spec in CURVES:
            right = (isinstance(public_key, self.ec.EllipticCurvePublicKey)
                     and public_key.curve.name == CURVES[spec])
        else:
            right = isinstance(public_key, expected[spec])
        if not right:
            raise Failure(f"the public key of a {spec} key loads as {type(public_key).__name__}")
        if self.spki_bytes(public_key) != der:
            raise Failure(f"the public key of a {spec} key is not its canonical DER SPKI")
        if spec in PQ_OIDS:
            oid, raw = spki_parts(der)
            if (oid, len(raw)) != PQ_OIDS[spec]:
                raise Failure(f"{spec} public key: OID {oid}, {len(raw)} bytes")
        return public_key

    def public_key(self, arn, spec):
        der = self.kms.get_public_key(KeyId=arn)["PublicKey"]
        return self.load_public(spec, der)

    def verify(self, public_key, algorithm, message, signature, prehashed=False):
        """Verifies in `cryptography`; Failure if it does not verify."""
        from cryptography.exceptions import InvalidSignature

        try:
            if algorithm.startswith("ECDSA_"):
                h = self.hash_of(algorithm)
                chosen = self.utils.Prehashed(h) if prehashed else h
                public_key.verify(signature, message, self.ec.ECDSA(chosen))
            elif algorithm.startswith("RSASSA_"):
                h = self.hash_of(algorithm)
                if "_PSS_" in algorithm:
                    pad = self.padding.PSS(mgf=self.padding.MGF1(h), salt_length=h.digest_size)
                else:
                    pad = self.padding.PKCS1v15()
                chosen = self.utils.Prehashed(h) if prehashed else h
                public_key.verify(signature, message, pad, chosen)
            else:  # ED25519_SHA_512, ML_DSA_SHAKE_256
                public_key.verify(signature, message)
        except InvalidSignature as error:
            kind = "DIGEST" if prehashed else "RAW"
            raise Failure(f"cryptography refuses the {algorithm} signature of a {kind} "
                          "message") from error

    def sign(self, arn, algorithm, message, message_type):
        answer = self.kms.sign(KeyId=arn, Message=message, MessageType=message_type,
                               SigningAlgorithm=algorithm)
        if answer.get("SigningAlgorithm") != algorithm or not is_arn_of(answer["KeyId"], arn):
            raise Failure(f"sign with {algorithm} answered {answer.get('SigningAlgorithm')!r} "
                          f"and KeyId {answer['KeyId']!r} for {arn}")
        return answer["Signature"]

    # ---- the checks

    def steps(self):
        """Yields the name of each step once it passed."""
        yield from self.signing()
        yield from self.rsa_encryption()
        yield from self.key_agreement()
        yield from self.ml_kem()
        yield from self.data_key_pairs()
        yield from self.hmac_keys()
        yield from self.seeded()

    def signing(self):
        for spec, algorithms in SIGNING_SPECS.items():
            if self.moto and spec not in MOTO_SPECS:
                continue
            arn = self.create(spec, "SIGN_VERIFY")
            public_key = self.public_key(arn, spec)
            yield f"GetPublicKey of {spec}: {type(public_key).__name__}, canonical DER SPKI"
            for algorithm in algorithms:
                if self.moto and "_PSS_" in algorithm:
                    continue
                signature = self.sign(arn, algorithm, MESSAGE, "RAW")
                self.verify(public_key, algorithm, MESSAGE, signature)
                checked = "RAW"
                if algorithm.startswith(("ECDSA_", "RSASSA_")) and not self.moto:
                    h = self.hashes.Hash(self.hash_of(algorithm))
                    h.update(MESSAGE)
                    digest = h.finalize()
                    signature = self.sign(arn, algorithm, digest, "DIGEST")
                    self.verify(public_key, algorithm, digest, signature, prehashed=True)
                    self.verify(public_key, algorithm, MESSAGE, signature)
                    checked = "RAW and DIGEST"
                if spec.startswith("ML_DSA_"):
                    raw_key = spki_parts(self.spki_bytes(public_key))[1]
                    tr = hashlib.shake_256(raw_key).digest(64)
                    mu = hashlib.shake_256(tr + b"\x00\x00" + MESSAGE).digest(64)
                    signature = self.sign(arn, algorithm, mu, "EXTERNAL_MU")
                    public_key.verify_mu(signature, mu)
                    self.verify(public_key, algorithm, MESSAGE, signature)
                    checked = "RAW and EXTERNAL_MU (mu computed here)"
                yield f"Sign with {algorithm} ({spec}), {checked}: verified by cryptography"
        if self.moto:
            return
        self.skip("ED25519_PH_SHA_512 signatures",
                  "cryptography has no Ed25519ph (kms-local's unit tests check it with RFC "
                  "8032's vectors)")

    def rsa_encryption(self):
        if self.moto:
            return
        for spec in ("RSA_2048",):
            arn = self.create(spec, "ENCRYPT_DECRYPT")
            public_key = self.public_key(arn, spec)
            yield f"GetPublicKey of {spec} ENCRYPT_DECRYPT: canonical DER SPKI"
            yield from self.oaep_to_kms(arn, spec, public_key)

    def oaep_to_kms(self, arn, spec, public_key):
        for (algorithm, hash_name), limit in zip(
                (("RSAES_OAEP_SHA_1", "SHA1"), ("RSAES_OAEP_SHA_256", "SHA256")),
                OAEP_LIMITS[spec]):
            h = getattr(self.hashes, hash_name)()
            plaintext = os.urandom(limit)
            pad = self.padding.OAEP(mgf=self.padding.MGF1(h), algorithm=h, label=None)
            ciphertext = public_key.encrypt(plaintext, pad)
            answer = self.kms.decrypt(CiphertextBlob=ciphertext, KeyId=arn,
                                      EncryptionAlgorithm=algorithm)
            if answer["Plaintext"] != plaintext:
                raise Failure(f"Decrypt of an {algorithm} ciphertext gave other bytes")
            yield (f"{algorithm} ({spec}): {limit} bytes encrypted by cryptography, "
                   "decrypted by KMS")

    def key_agreement(self):
        if self.moto:
            return
        for spec, curve in (("ECC_NIST_P256", "SECP256R1"), ("ECC_NIST_P384", "SECP384R1"),
                            ("ECC_NIST_P521", "SECP521R1")):
            arn = self.create(spec, "KEY_AGREEMENT")
            kms_public = self.public_key(arn, spec)
            mine = self.ec.generate_private_key(getattr(self.ec, curve)())
            answer = self.kms.derive_shared_secret(
                KeyId=arn, KeyAgreementAlgorithm="ECDH",
                PublicKey=self.spki_bytes(mine.public_key()))
            if answer["SharedSecret"] != mine.exchange(self.ec.ECDH(), kms_public):
                raise Failure(f"DeriveSharedSecret ({spec}) differs from cryptography's ECDH")
            yield f"DeriveSharedSecret ({spec}): the shared secret cryptography computes"

    def ml_kem(self):
        if self.moto:
            return
        for spec in ("ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"):
            arn = self.create(spec, "ENCAPSULATE_DECAPSULATE")
            public_key = self.public_key(arn, spec)
            if public_key is None:
                self.skip(f"Decapsulate of a ciphertext made here ({spec})",
                          "cryptography has no ML-KEM-512 (its SPKI OID and length are checked)")
                yield f"GetPublicKey of {spec}: SPKI with OID {PQ_OIDS[spec][0]}"
                continue
            secret, ciphertext = public_key.encapsulate()
            answer = self.kms.decapsulate(KeyId=arn, SharedSecretCiphertextBlob=ciphertext,
                                          EncapsulationAlgorithm="ML_KEM")
            if answer["SharedSecret"] != secret:
                raise Failure(f"Decapsulate ({spec}) gave another secret than cryptography's")
            yield f"Decapsulate ({spec}) of a ciphertext encapsulated by cryptography"

    def data_key_pairs(self):
        if self.moto:
            return
        arn = self.create("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
        context = {"peer": "asymmetric"}
        for spec in ("RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
                     "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_KEM_512",
                     "ML_KEM_768", "ML_KEM_1024"):
            pair = self.kms.generate_data_key_pair(KeyId=arn, KeyPairSpec=spec,
                                                   EncryptionContext=context)
            private_der, public_der = pair["PrivateKeyPlaintext"], pair["PublicKey"]
            self.check_pair(spec, private_der, public_der)
            blob = pair["PrivateKeyCiphertextBlob"]
            if self.kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] \
                    != private_der:
                raise Failure(f"Decrypt of the {spec} private key gave other bytes")
            expect_error(lambda: self.kms.decrypt(CiphertextBlob=blob),
                         "InvalidCiphertextException")
            how = ("OIDs and seed form read by hand" if spec == "ML_KEM_512" else
                   "the private key loads and its public key is the pair's")
            yield (f"GenerateDataKeyPair {spec}: {how}; the encrypted private key decrypts only "
                   "with its encryption context")
            if spec in ("RSA_3072", "RSA_4096"):
                continue
            pair = self.kms.generate_data_key_pair_without_plaintext(
                KeyId=arn, KeyPairSpec=spec, EncryptionContext=context)
            private_der = self.kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"],
                                           EncryptionContext=context)["Plaintext"]
            self.check_pair(spec, private_der, pair["PublicKey"])
            yield (f"GenerateDataKeyPairWithoutPlaintext {spec}: the decrypted private key "
                   "belongs to the public key")

    def check_pair(self, spec, private_der, public_der):
        if spec == "ML_KEM_512":
            self.load_public(spec, public_der)
            oid, contents = pkcs8_parts(private_der)
            if oid != PQ_OIDS[spec][0] or len(contents) != 66 or contents[:2] != b"\x80\x40":
                raise Failure(f"{spec} private key: OID {oid}, not a 64-byte seed")
            return
        public_key = self.load_public(spec, public_der)
        private_key = self.serialization.load_der_private_key(private_der, password=None)
        if self.spki_bytes(private_key.public_key()) != self.spki_bytes(public_key):
            raise Failure(f"the {spec} data key pair's public key is not its private key's")
        if spec.startswith("ML_KEM_"):
            if len(private_der) != 86:
                raise Failure(f"{spec} private key: {len(private_der)} bytes, not the 86 bytes "
                              "of the seed form")
            secret, ciphertext = public_key.encapsulate()
            if private_key.decapsulate(ciphertext) != secret:
                raise Failure(f"the {spec} data key pair does not decapsulate its own secret")

    def hmac_keys(self):
        for spec, length in (("HMAC_224", 28), ("HMAC_256", 32), ("HMAC_384", 48),
                             ("HMAC_512", 64)):
            arn = self.create(spec, "GENERATE_VERIFY_MAC")
            algorithm = "HMAC_SHA_" + spec[5:]
            mac = self.kms.generate_mac(KeyId=arn, Message=MESSAGE, MacAlgorithm=algorithm)["Mac"]
            if len(mac) != length:
                raise Failure(f"GenerateMac ({spec}): {len(mac)} bytes, not {length}")
            self.kms.verify_mac(KeyId=arn, Message=MESSAGE, MacAlgorithm=algorithm, Mac=mac)
            wrong = bytes([mac[0] ^ 1]) + mac[1:]
            expect_error(lambda: self.kms.verify_mac(
                KeyId=arn, Message=MESSAGE, MacAlgorithm=algorithm, Mac=wrong),
                "KMSInvalidMacException")
            yield (f"GenerateMac {algorithm} ({spec}): {length} bytes; VerifyMac takes it and "
                   "refuses a flipped bit")

    def seeded(self):
        if self.moto:
            return
        if self.seed is None:
            self.skip("the seeded keys", "no --seed file (the endpoint has no fixture keys)")
            return
        s = self.serialization
        for key in self.seed["keys"]:
            key_id, spec = key["key_id"], key["key_spec"]
            material = base64.b64decode(key["material"])
            if spec.startswith("HMAC_"):
                algorithm = "HMAC_SHA_" + spec[5:]
                digest = getattr(hashlib, "sha" + spec[5:])
                expected = hmac.new(material, MESSAGE, digest).digest()
                answer = self.kms.generate_mac(KeyId=key_id, Message=MESSAGE,
                                               MacAlgorithm=algorithm)
                if answer["Mac"] != expected:
                    raise Failure(f"GenerateMac ({spec}) differs from Python's hmac")
                self.kms.verify_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm,
                                    Mac=expected)
                wrong = bytes([expected[0] ^ 1]) + expected[1:]
                expect_error(lambda: self.kms.verify_mac(
                    KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm, Mac=wrong),
                    "KMSInvalidMacException")
                yield (f"GenerateMac {algorithm} of seeded {spec}: Python's hmac with the seed "
                       "material; VerifyMac takes it and refuses a flipped bit")
                continue
            private_key = s.load_der_private_key(material, password=None)
            public_key = self.public_key(key_id, spec)
            if self.spki_bytes(public_key) != self.spki_bytes(private_key.public_key()):
                raise Failure(f"GetPublicKey of seeded {spec} is not the seed's public key")
            if key["key_usage"] == "SIGN_VERIFY":
                for algorithm in SIGNING_SPECS[spec]:
                    self.verify(public_key, algorithm, MESSAGE,
                                self.sign(key_id, algorithm, MESSAGE, "RAW"))
                yield f"seeded {spec}: the seed's public key, signatures verify with it"
            else:
                yield from self.oaep_to_kms(key_id, spec, public_key)
                h = self.hashes.SHA256()
                answer = self.kms.encrypt(KeyId=key_id, Plaintext=MESSAGE,
                                          EncryptionAlgorithm="RSAES_OAEP_SHA_256")
                pad = self.padding.OAEP(mgf=self.padding.MGF1(h), algorithm=h, label=None)
                if private_key.decrypt(answer["CiphertextBlob"], pad) != MESSAGE:
                    raise Failure(f"cryptography decrypts the {spec} ciphertext to other bytes")
                yield f"seeded {spec}: KMS's RSAES_OAEP_SHA_256 ciphertext decrypts in cryptography"

    def clean_up(self):
        for key_id in self.keys:
            self.kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("endpoint", nargs="?")
    parser.add_argument("--seed", help="the seed file the endpoint was started on")
    parser.add_argument("--skip-unsupported-by-moto", action="store_true",
                        help="skip, and list, what moto does not implement as AWS does")
    args = parser.parse_args()
    moto = args.skip_unsupported_by_moto
    endpoint = args.endpoint or os.environ.get(
        "KMS_TEST_MOTO_URL" if moto else "KMS_TEST_SERVE_URL")
    passed = 0
    peer = None
    try:
        if not endpoint:
            raise Failure("no endpoint: pass its URL, or run this under scripts/with-kms-serve.sh "
                          "(or scripts/with-moto.sh with --skip-unsupported-by-moto)")
        try:
            import boto3
            import cryptography
            from botocore.config import Config
        except ImportError as error:
            raise Failure(f"boto3 or cryptography cannot be imported ({error}): run this with "
                          ".venv/bin/python after scripts/peers-venv.sh") from error
        seed = None
        if args.seed:
            with open(args.seed, "rb") as file:
                seed = tomllib.load(file)
        kms = boto3.client(
            "kms",
            endpoint_url=endpoint,
            region_name=os.environ.get("AWS_REGION", "us-east-1"),
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        print(f"cryptography {cryptography.__version__}, boto3 {boto3.__version__} against "
              f"{endpoint}{' (moto: unsupported checks skipped)' if moto else ''}", flush=True)
        peer = Peer(kms, seed, moto)
        if moto:
            for what, why in MOTO_SKIPS:
                peer.skip(what, f"moto 5.2.5: {why}")
        for name in peer.steps():
            passed += 1
            print(f"ok   {name}", flush=True)
        peer.clean_up()
    except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
        print(f"FAIL {type(error).__name__}: {error}")
        print(f"{passed} passed, 1 failed")
        return 1
    for what, why in peer.skipped:
        print(f"skip {what}: {why}")
    print(f"{passed} passed, 0 failed, {len(peer.skipped)} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
