// The AWS SDK for JavaScript v3 (@aws-sdk/client-kms, pinned in package.json beside this file)
// against a KMS endpoint: creates a key, encrypts, decrypts without naming the key, compares,
// and checks the error code of a missing alias (NotFoundException).
//
//   node scripts/peers/js/kms_client.mjs [ENDPOINT_URL]    # default: $KMS_TEST_SERVE_URL
//
// Prints one line per step and a final 'N passed, N failed' line; stops at the first failure
// and exits 1, also when the SDK cannot be loaded or no endpoint is given (never skips).

let passed = 0;

function fail(message) {
  console.log(`FAIL ${message}`);
  console.log(`${passed} passed, 1 failed`);
  process.exit(1);
}

function ok(message) {
  passed += 1;
  console.log(`ok   ${message}`);
}

const endpoint = process.argv[2] ?? process.env.KMS_TEST_SERVE_URL;
if (!endpoint) {
  fail("no endpoint: pass its URL, or run this under scripts/with-kms-serve.sh");
}

let sdk;
try {
  sdk = await import("@aws-sdk/client-kms");
} catch (error) {
  fail(`@aws-sdk/client-kms cannot be loaded (${error.message}): run scripts/peers/js_client.sh`);
}
const { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand, DescribeKeyCommand } = sdk;

const kms = new KMSClient({
  endpoint,
  region: process.env.AWS_REGION ?? "us-east-1",
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "testing",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "testing",
  },
  // One attempt: an error must come from the endpoint's first answer.
  maxAttempts: 1,
});

try {
  const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({ Description: "JavaScript SDK peer" }));
  if (key.KeyState !== "Enabled" || !key.Arn.endsWith(`:key/${key.KeyId}`)) {
    fail(`CreateKey returned ${JSON.stringify(key)}`);
  }
  ok(`CreateKey: ${key.Arn}`);

  const plaintext = Uint8Array.from({ length: 256 }, (_, i) => i);
  const context = { peer: "javascript" };
  const encrypted = await kms.send(
    new EncryptCommand({ KeyId: key.Arn, Plaintext: plaintext, EncryptionContext: context }),
  );
  if (encrypted.KeyId !== key.Arn || encrypted.EncryptionAlgorithm !== "SYMMETRIC_DEFAULT") {
    fail(`Encrypt answered KeyId ${encrypted.KeyId}, EncryptionAlgorithm ${encrypted.EncryptionAlgorithm}`);
  }
  ok("Encrypt of 256 bytes with an encryption context");

  const decrypted = await kms.send(
    new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }),
  );
  if (Buffer.compare(Buffer.from(decrypted.Plaintext), Buffer.from(plaintext)) !== 0) {
    fail("Decrypt returned other bytes than the plaintext");
  }
  if (decrypted.KeyId !== key.Arn) {
    fail(`Decrypt named the key ${decrypted.KeyId}`);
  }
  ok("Decrypt without a key id: the same bytes, under the same key");

  try {
    await kms.send(new DescribeKeyCommand({ KeyId: "alias/javascript-no-such-alias" }));
    fail("DescribeKey of a missing alias succeeded");
  } catch (error) {
    if (error.name !== "NotFoundException" || !(error instanceof sdk.NotFoundException)) {
      fail(`DescribeKey of a missing alias failed with ${error.name}, not NotFoundException: ${error.message}`);
    }
    if (!error.$metadata?.requestId) {
      fail("the error response has no request id (x-amzn-RequestId)");
    }
    ok(`DescribeKey of a missing alias: NotFoundException (HTTP ${error.$metadata.httpStatusCode}, with a request id)`);
  }
} catch (error) {
  fail(`${error.name}: ${error.message}`);
}
console.log(`${passed} passed, 0 failed`);
