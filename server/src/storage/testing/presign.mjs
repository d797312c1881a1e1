// Prints the AWS SDK's presigned GET URL for each key, one a line, so tests can compare ours byte for byte.
// Usage: node presign.mjs [--virtual-hosted] <endpoint> <region> <bucket> <access_key> <secret_key> <epoch_ms>
//        <expires_s> <key>...
import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Sha256 } from "./sigv4.mjs";

const args = process.argv.slice(2);
const virtualHosted = args[0] === "--virtual-hosted";
if (virtualHosted) args.shift();
const [endpoint, region, bucket, accessKeyId, secretAccessKey, epochMs, expiresS, ...keys] = args;
if (!expiresS || keys.length === 0) {
  console.error("usage: presign.mjs <endpoint> <region> <bucket> <access_key> <secret_key> <epoch_ms> <expires_s> <key>...");
  process.exit(2);
}

const client = new S3Client({
  endpoint,
  region,
  forcePathStyle: !virtualHosted,
  credentials: { accessKeyId, secretAccessKey },
  sha256: Sha256,
  // Plain GETs: no checksum parameters, which S3 does not need in a presigned URL.
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
});
// The SDK tags its own requests with ?x-id=GetObject; an S3 GET does not need it, so it is dropped before signing.
client.middlewareStack.add(
  (next) => async (args) => {
    delete args.request.query["x-id"];
    return next(args);
  },
  { step: "build", name: "dropOperationId" },
);

for (const key of keys) {
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: Number(expiresS),
    signingDate: new Date(Number(epochMs)),
  });
  console.log(url);
}
