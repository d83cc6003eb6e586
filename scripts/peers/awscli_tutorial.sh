#!/usr/bin/env bash
# The classic AWS KMS tutorial, run with the AWS CLI v1 (awscli, pinned in
# scripts/requirements-peers.txt and installed into .venv) against a KMS endpoint:
#
#   scripts/peers/awscli_tutorial.sh [ENDPOINT_URL]     # default: $KMS_TEST_SERVE_URL
#
# create-key, create-alias, encrypt with fileb://, decrypt without a key id (the round-tripped
# plaintext compared byte for byte), generate-data-key and generate-data-key-without-plaintext
# (each data key decrypted again), re-encrypt to a second key, list-keys, list-aliases,
# describe-key, and the error cases AWS answers (NotFoundException for a missing alias,
# DisabledException for a disabled key, InvalidCiphertextException for an altered ciphertext
# and for a missing encryption context), each with the error code and AWS CLI v1's exit code
# checked: 255, AWS CLI v1's code for an error the service returned (254 is v2's).
#
# Prints one line per step and a final 'N passed, N failed' line; stops at the first failure
# and exits 1. Fails (never skips) when the AWS CLI cannot be installed or the endpoint is not
# given.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
endpoint=${1:-${KMS_TEST_SERVE_URL:-}}
passed=0

fail() {
    printf 'FAIL %s\n%s passed, 1 failed\n' "$*" "$passed"
    exit 1
}

ok() {
    passed=$((passed + 1))
    printf 'ok   %s\n' "$*"
}

[[ -n $endpoint ]] || fail "no endpoint: pass its URL, or run this under scripts/with-kms-serve.sh"
venv=$("$root/scripts/peers-venv.sh") || fail "the AWS CLI could not be installed (scripts/peers-venv.sh)"
aws_bin=$venv/bin/aws
[[ -x $aws_bin ]] || fail "$aws_bin is missing: check awscli in scripts/requirements-peers.txt"

# Dummy credentials unless the caller set some; never the user's profile or real ones.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KMS
region=${AWS_REGION:-us-east-1}

work=$(mktemp -d "${TMPDIR:-/tmp}/awscli-tutorial.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# Runs `aws kms ARGS...`; its output goes to $work/out and $work/err, its exit code to $rc.
rc=0
kms() {
    rc=0
    "$aws_bin" --endpoint-url "$endpoint" --region "$region" kms "$@" >out 2>err || rc=$?
}

# Runs `aws kms ARGS...`, which must succeed; its output is left in $work/out. (Checks run in
# this shell, never in a command substitution, where a failure would go unnoticed.)
kms_ok() {
    kms "$@"
    ((rc == 0)) || fail "aws kms $1 exited $rc: $(cat err)"
}

# Runs `aws kms ARGS...`, which must fail with the error code $1; AWS CLI v1 exits with 255
# for every error the service returns.
expect_error() {
    local code=$1
    shift
    kms "$@"
    ((rc == 255)) || fail "aws kms $1 exited $rc, not 255 (the service refused): $(cat out err)"
    grep -q "An error occurred ($code) when calling the " err \
        || fail "aws kms $1 did not fail with $code: $(cat err)"
}

# The plaintext: every byte value, so no text encoding can pass it through unchanged by luck.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' >plaintext

# Every command costs a second or so of AWS CLI start-up: each answer is read once, several
# members at a time (--output text separates them with tabs).
kms_ok create-key --description "tutorial key" --query '[KeyMetadata.KeyId, KeyMetadata.Arn]' --output text
read -r key key_arn <out
[[ $key =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] \
    || fail "create-key returned the key id '$key', not a UUID"
[[ $key_arn == arn:aws:kms:$region:*:key/$key ]] || fail "create-key returned the ARN '$key_arn'"
ok "create-key: $key"

alias_name=alias/tutorial-$$-$RANDOM
kms_ok create-alias --alias-name "$alias_name" --target-key-id "$key"
[[ ! -s out ]] || fail "create-alias printed '$(cat out)', AWS returns nothing"
ok "create-alias $alias_name"

kms_ok encrypt --key-id "$alias_name" --plaintext fileb://plaintext \
    --query '[CiphertextBlob, KeyId, EncryptionAlgorithm]' --output text
read -r blob encrypted_under algorithm <out
base64 -d <<<"$blob" >ciphertext
[[ -s ciphertext ]] || fail "encrypt returned an empty CiphertextBlob"
[[ $encrypted_under == "$key_arn" && $algorithm == SYMMETRIC_DEFAULT ]] \
    || fail "encrypt answered KeyId '$encrypted_under' and EncryptionAlgorithm '$algorithm'"
ok "encrypt --plaintext fileb://plaintext under $alias_name (KeyId is the key ARN)"

kms_ok decrypt --ciphertext-blob fileb://ciphertext --query '[Plaintext, KeyId]' --output text
read -r decrypted decrypted_under <out
base64 -d <<<"$decrypted" >decrypted
cmp -s plaintext decrypted || fail "decrypt returned other bytes than the plaintext"
[[ $decrypted_under == "$key_arn" ]] || fail "decrypt named the key '$decrypted_under'"
ok "decrypt without a key id: the same 1024 bytes, KeyId $key_arn"

kms_ok encrypt --key-id "$key" --plaintext fileb://plaintext \
    --encryption-context purpose=tutorial,team=kms --query CiphertextBlob --output text
base64 -d out >ciphertext-with-context
kms_ok decrypt --ciphertext-blob fileb://ciphertext-with-context \
    --encryption-context team=kms,purpose=tutorial --query Plaintext --output text
base64 -d out >decrypted
cmp -s plaintext decrypted || fail "decrypt with the encryption context returned other bytes"
ok "encrypt and decrypt with an encryption context"

# Reads a data key answer (JSON in out): checks KeyId and, with $2 = yes, a 32-byte
# Plaintext (written to data-key), or with $2 = no, no Plaintext; writes the CiphertextBlob
# to data-key.enc.
read_data_key() {
    python3 - "$key_arn" "$1" <<'PY'
import base64, json, sys
answer = json.load(open("out"))
assert answer["KeyId"] == sys.argv[1], f"KeyId {answer['KeyId']}"
if sys.argv[2] == "yes":
    plaintext = base64.b64decode(answer["Plaintext"])
    assert len(plaintext) == 32, f"Plaintext of {len(plaintext)} bytes"
    open("data-key", "wb").write(plaintext)
else:
    assert "Plaintext" not in answer, "the answer has a Plaintext"
open("data-key.enc", "wb").write(base64.b64decode(answer["CiphertextBlob"]))
PY
}

kms_ok generate-data-key --key-id "$alias_name" --key-spec AES_256
read_data_key yes || fail "generate-data-key: unexpected answer"
kms_ok decrypt --ciphertext-blob fileb://data-key.enc --query Plaintext --output text
base64 -d out >decrypted
cmp -s data-key decrypted || fail "the encrypted data key decrypts to another key"
ok "generate-data-key --key-spec AES_256: a 32-byte key whose CiphertextBlob decrypts to it"

kms_ok generate-data-key-without-plaintext --key-id "$key" --number-of-bytes 64
read_data_key no || fail "generate-data-key-without-plaintext: unexpected answer"
kms_ok decrypt --ciphertext-blob fileb://data-key.enc --query Plaintext --output text
size=$(base64 -d out | wc -c)
((size == 64)) || fail "the data key without plaintext decrypts to $size bytes, not 64"
ok "generate-data-key-without-plaintext --number-of-bytes 64: no Plaintext, decrypts to 64 bytes"

kms_ok create-key --description "tutorial second key" --query '[KeyMetadata.KeyId, KeyMetadata.Arn]' --output text
read -r second second_arn <out
kms_ok re-encrypt --ciphertext-blob fileb://ciphertext --destination-key-id "$second" \
    --query '[CiphertextBlob, SourceKeyId, KeyId]' --output text
read -r blob source_key destination_key <out
[[ $source_key == "$key_arn" && $destination_key == "$second_arn" ]] \
    || fail "re-encrypt answered SourceKeyId '$source_key' and KeyId '$destination_key'"
base64 -d <<<"$blob" >re-encrypted
kms_ok decrypt --ciphertext-blob fileb://re-encrypted --query '[Plaintext, KeyId]' --output text
read -r decrypted decrypted_under <out
[[ $decrypted_under == "$second_arn" ]] || fail "the re-encrypted blob decrypts under '$decrypted_under'"
base64 -d <<<"$decrypted" >decrypted
cmp -s plaintext decrypted || fail "the re-encrypted ciphertext decrypts to other bytes"
ok "re-encrypt to a second key: decrypts to the plaintext under $second"

kms_ok list-keys --query 'Keys[].KeyId' --output text
tr '\t' '\n' <out >keys
grep -qx "$key" keys && grep -qx "$second" keys || fail "list-keys does not list both keys: $(cat keys)"
ok "list-keys lists both keys"

kms_ok list-aliases --query "Aliases[?AliasName=='$alias_name'].TargetKeyId" --output text
[[ $(<out) == "$key" ]] || fail "list-aliases gives $alias_name the target '$(<out)'"
ok "list-aliases: $alias_name -> $key"

kms_ok describe-key --key-id "$alias_name" \
    --query 'KeyMetadata.[KeyId, KeyState, KeyUsage, KeySpec, Description, Enabled]' --output text
[[ $(<out) == "$key"$'\t'Enabled$'\t'ENCRYPT_DECRYPT$'\t'SYMMETRIC_DEFAULT$'\t'"tutorial key"$'\t'True ]] \
    || fail "describe-key through the alias gave '$(<out)'"
ok "describe-key through the alias: Enabled, ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT"

expect_error NotFoundException describe-key --key-id alias/tutorial-no-such-alias
ok "describe-key of a missing alias: NotFoundException, exit 255"

kms_ok disable-key --key-id "$second"
expect_error DisabledException encrypt --key-id "$second" --plaintext fileb://plaintext
ok "encrypt under a disabled key: DisabledException, exit 255"

# The ciphertext with its last byte flipped (inside the authentication tag).
python3 - <<'PY'
blob = bytearray(open("ciphertext", "rb").read())
blob[-1] ^= 0x01
open("altered", "wb").write(bytes(blob))
PY
expect_error InvalidCiphertextException decrypt --ciphertext-blob fileb://altered
ok "decrypt of an altered ciphertext: InvalidCiphertextException, exit 255"

expect_error InvalidCiphertextException decrypt --ciphertext-blob fileb://ciphertext-with-context
ok "decrypt without the encryption context: InvalidCiphertextException, exit 255"

printf '%s passed, 0 failed\n' "$passed"
