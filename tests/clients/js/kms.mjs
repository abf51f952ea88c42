// Runs one KMS operation with the AWS SDK for JavaScript v3 and prints the outcome as one JSON line.
//
//   node kms.mjs <Operation> [input-json]
//
// The endpoint comes from KMS_ENDPOINT, the region from AWS_REGION, the credentials from
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Binary members travel as {"$base64": "..."} in the
// input and as base64 strings in the output, as the AWS CLI prints them.
// Prints {"output": {...}} on success and {"error": {"name", "message"}} when KMS answers with an
// error (exit code 0 for both: the caller asserts on the answer); exits 2 on a usage error.
import * as kms from '@aws-sdk/client-kms';

const [operation, inputJson = '{}'] = process.argv.slice(2);
const Command = operation ? kms[`${operation}Command`] : undefined;
if (typeof Command !== 'function') {
  console.error(`usage: node kms.mjs <Operation> [input-json]; unknown operation '${operation ?? ''}'`);
  process.exit(2);
}

const input = JSON.parse(inputJson, (_, value) =>
  value !== null && typeof value === 'object' && typeof value.$base64 === 'string'
    ? new Uint8Array(Buffer.from(value.$base64, 'base64'))
    : value);

const { KMS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
const client = new kms.KMSClient({
  endpoint: KMS_ENDPOINT,
  region: AWS_REGION,
  credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});

function print(result) {
  process.stdout.write(JSON.stringify(result, (_, value) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value) + '\n');
}

try {
  const { $metadata, ...output } = await client.send(new Command(input));
  print({ output });
} catch (err) {
  // Only an error the service answered has a $fault; anything else (no connection, a bug here)
  // crashes the script so the test reports it as such.
  if (!err.$fault) {
    throw err;
  }

  print({ error: { name: err.name, message: err.message } });
} finally {
  client.destroy();
}
