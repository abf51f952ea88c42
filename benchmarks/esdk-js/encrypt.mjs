// Encrypts <count> items of <size> bytes with the AWS Encryption SDK for JavaScript, one ESDK
// message per item, through a KMS keyring whose generator is <keyArn>, for the kms-calls benchmark
// of Ekm.Benchmarks (which starts this script and counts the KMS calls on the local KMS's side).
//
//   node encrypt.mjs <endpoint> <keyArn> <count> <size> [--concurrency N] [--context k=v]...
//                    [--cache-messages N] [--cache-max-age-ms N] [--suite ID] [--out DIR] [--warmup N]
//
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the region from the key ARN.
// Without --cache-messages the keyring sits behind the SDK's default cryptographic materials
// manager (a fresh data key, so one GenerateDataKey, per message); with it, behind a
// NodeCachingMaterialsManager over a local cache that reuses a data key for up to N messages.
// Without --suite the SDK picks its default algorithm suite (0x0578: AES-256-GCM, HKDF, key
// commitment, ECDSA P-384 signature); --suite 0x0478 is the same without the signature.
// With --out every message is written the way Ekm's BackupStore writes an item: to a temporary
// file, flushed to the disk, renamed into place.
//
// Protocol on stdout, one JSON object per line: {"ready": ...} after the untimed warm-up; the
// script then waits for one line on stdin (the caller resets its counters meanwhile), runs the
// timed part and prints {"result": ...}. Exit code 2 on a usage error.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
  NodeDefaultCryptographicMaterialsManager,
  NodeCachingMaterialsManager,
  getLocalCryptographicMaterialsCache,
  getClient,
  cacheClients,
} from '@aws-crypto/client-node';
import { KMS } from '@aws-sdk/client-kms';

function usage(message) {
  console.error(`${message}\nusage: node encrypt.mjs <endpoint> <keyArn> <count> <size> [--concurrency N] [--context k=v]... [--cache-messages N] [--cache-max-age-ms N] [--suite ID] [--out DIR] [--warmup N]`);
  process.exit(2);
}

const positional = [];
const options = { concurrency: 8, context: {}, cacheMessages: 0, cacheMaxAgeMs: 300_000, suiteId: undefined, out: null, warmup: 50 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (!arg.startsWith('--')) {
    positional.push(arg);
    continue;
  }

  const value = argv[++i];
  if (value === undefined) usage(`${arg} needs a value`);
  switch (arg) {
    case '--concurrency': options.concurrency = wholeNumber(arg, value, 1); break;
    case '--cache-messages': options.cacheMessages = wholeNumber(arg, value, 0); break;
    case '--cache-max-age-ms': options.cacheMaxAgeMs = wholeNumber(arg, value, 1); break;
    case '--warmup': options.warmup = wholeNumber(arg, value, 0); break;
    case '--suite': options.suiteId = wholeNumber(arg, value, 1); break;
    case '--out': options.out = value; break;
    case '--context': {
      const at = value.indexOf('=');
      if (at <= 0) usage(`--context wants key=value, not '${value}'`);
      options.context[value.slice(0, at)] = value.slice(at + 1);
      break;
    }
    default: usage(`unknown option ${arg}`);
  }
}

if (positional.length !== 4) usage('expected 4 arguments');
const [endpoint, keyArn] = positional;
const count = wholeNumber('count', positional[2], 1);
const size = wholeNumber('size', positional[3], 0);
const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) usage('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');

function wholeNumber(name, text, min) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) usage(`${name} must be a whole number >= ${min}, not '${text}'`);
  return n;
}

// The same client supplier the keyring uses by default (one cached client per region), pointed at the local KMS.
// maxAttempts 1: a retried call would be counted twice by the KMS and hide a failure here.
const clientProvider = cacheClients(getClient(KMS, {
  endpoint,
  credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
}));
const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider });

// A fresh manager (and so a fresh cache) for the timed part: nothing the warm-up cached may serve it.
function materialsManager() {
  const backing = new NodeDefaultCryptographicMaterialsManager(keyring);
  if (options.cacheMessages === 0) return { cmm: backing, name: 'default' };
  return {
    cmm: new NodeCachingMaterialsManager({
      backingMaterials: backing,
      cache: getLocalCryptographicMaterialsCache(100),
      maxAge: options.cacheMaxAgeMs,
      maxMessagesEncrypted: options.cacheMessages,
    }),
    name: `caching (local cache, maxMessagesEncrypted ${options.cacheMessages}, maxAge ${options.cacheMaxAgeMs} ms)`,
  };
}

// The SDK's default commitment policy: commitment required on encrypt and decrypt.
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const encryptOptions = { encryptionContext: options.context, suiteId: options.suiteId };
const plaintext = randomBytes(size);

async function run(items, cmm) {
  let bytesOut = 0;
  let next = 0;
  let suite = null;
  async function worker() {
    while (next < items) {
      const i = next++;
      const { result, messageHeader } = await encrypt(cmm, plaintext, encryptOptions);
      suite ??= messageHeader.suiteId;
      bytesOut += result.length;
      if (options.out) await writeDurably(path.join(options.out, `item-${String(i).padStart(6, '0')}.esdk`), result);
    }
  }

  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, items) }, worker));
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytesOut, suite };
}

async function writeDurably(file, bytes) {
  const temporary = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }

  await rename(temporary, file);
}

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

const require = createRequire(import.meta.url);
const esdkVersion = require('@aws-crypto/client-node/package.json').version;
const kmsClientVersion = require('@aws-sdk/client-kms/package.json').version;
if (options.out) await mkdir(options.out, { recursive: true });

// Untimed: JIT, the KMS connection, and one round trip that proves the messages decrypt.
const warm = materialsManager();
const probe = await encrypt(warm.cmm, plaintext, encryptOptions);
const { plaintext: back } = await decrypt(keyring, probe.result);
if (!Buffer.from(back).equals(plaintext)) throw new Error('the warm-up message did not decrypt to its plaintext');
if (options.warmup > 0) await run(options.warmup, warm.cmm);
print({ ready: { node: process.version, esdk: esdkVersion, clientKms: kmsClientVersion } });

// Wait for the go line; a closed stdin (the caller went away) ends the script.
const input = createInterface({ input: process.stdin });
const go = await new Promise((resolve) => {
  input.once('line', () => resolve(true));
  input.once('close', () => resolve(false));
});
input.close();
if (!go) process.exit(1);

const timed = materialsManager();
const { seconds, bytesOut, suite } = await run(count, timed.cmm);
print({
  result: {
    cmm: timed.name,
    items: count,
    size,
    concurrency: options.concurrency,
    seconds,
    itemsPerSecond: count / seconds,
    bytesOut,
    suiteId: suite,
    durable: options.out !== null,
  },
});
