// Runs s3rver on 127.0.0.1 (port 0) for the object store tests, with the AWS SDK checking every request's
// SigV4 signature first (s3rver itself does not), then prints {"port": N} once it listens.
// s3rver lacks AbortMultipartUpload (it answers 405), so that is done here on its upload directory.
// Usage: node --openssl-legacy-provider s3rver.mjs <data_dir> <bucket> [--fail-part=N]
//   (s3rver's continuation tokens use DES); exits on SIGTERM or when its stdin closes.
// --fail-part=N answers 500 to every UploadPart with partNumber N, to exercise the client's abort path.
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import S3rver from "s3rver";
import { headerSigner, parseAmzDate, queryPresigner } from "./sigv4.mjs";

const [directory, bucket, ...flags] = process.argv.slice(2);
const failPart = flags.map((f) => /^--fail-part=(\d+)$/.exec(f)?.[1]).find(Boolean);
if (!directory || !bucket) {
  console.error("usage: s3rver.mjs <data_dir> <bucket> [--fail-part=N]");
  process.exit(2);
}
const secrets = new Map([["S3RVER", "S3RVER"]]);  // s3rver's only account

function decode(text) {
  return decodeURIComponent(text.replace(/\+/g, "%20"));
}

function parseQuery(raw) {
  const query = {};
  if (!raw) return query;
  for (const pair of raw.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    query[name] = eq < 0 ? "" : decode(pair.slice(eq + 1));
  }
  return query;
}

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = "application/xml";
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

// Returns null when the signature checks out (or the request is anonymous or uses an unknown key, which
// s3rver itself answers), else a description of the mismatch.
async function verify(req) {
  const url = req.url;
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = parseQuery(q < 0 ? "" : url.slice(q + 1));
  const [hostname, port] = (req.headers.host ?? "").split(":");
  const auth = req.headers.authorization;
  if (auth && auth.startsWith("AWS4-HMAC-SHA256 ")) {
    const fields = Object.fromEntries(
      auth.slice(17).split(/,\s*/).map((part) => [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)]),
    );
    const [accessKeyId, , region] = fields.Credential.split("/");
    const secretAccessKey = secrets.get(accessKeyId);
    if (!secretAccessKey) return null;
    const signed = new Set(fields.SignedHeaders.split(";"));
    const headers = {};
    for (const name of signed) headers[name] = req.headers[name] ?? "";
    // S3 hashes the payload as the x-amz-content-sha256 header says, signed or not.
    if (req.headers["x-amz-content-sha256"]) headers["x-amz-content-sha256"] = req.headers["x-amz-content-sha256"];
    else return "missing x-amz-content-sha256";
    const date = parseAmzDate(req.headers["x-amz-date"]);
    if (!date) return "missing or malformed x-amz-date";
    const request = { method: req.method, protocol: "http:", hostname, port: port ? Number(port) : undefined, path, query, headers };
    const unsigned = new Set(signed.has("x-amz-content-sha256") ? [] : ["x-amz-content-sha256"]);
    const out = await headerSigner({ accessKeyId, secretAccessKey, region }).sign(request, {
      signingDate: date,
      signableHeaders: signed,
      unsignableHeaders: unsigned,
    });
    const expected = /Signature=([0-9a-f]+)/.exec(out.headers.authorization)[1];
    return expected === fields.Signature ? null : `header signature ${fields.Signature}, expected ${expected}`;
  }
  if (query["X-Amz-Signature"]) {
    const [accessKeyId, , region] = (query["X-Amz-Credential"] ?? "").split("/");
    const secretAccessKey = secrets.get(accessKeyId);
    if (!secretAccessKey) return null;
    const date = parseAmzDate(query["X-Amz-Date"]);
    if (!date) return "malformed X-Amz-Date";
    if (query["X-Amz-SignedHeaders"] !== "host") return "presigned URLs here sign only the host";
    const rest = {};
    for (const [name, value] of Object.entries(query)) {
      if (!/^X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Content-Sha256)$/.test(name)) rest[name] = value;
    }
    const request = { method: req.method, protocol: "http:", hostname, port: port ? Number(port) : undefined, path, query: rest, headers: { host: req.headers.host } };
    const out = await queryPresigner({ accessKeyId, secretAccessKey, region }).presign(request, {
      signingDate: date,
      expiresIn: Number(query["X-Amz-Expires"]),
    });
    const expected = out.query["X-Amz-Signature"];
    return expected === query["X-Amz-Signature"] ? null : `query signature ${query["X-Amz-Signature"]}, expected ${expected}`;
  }
  return null;
}

const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [] }],
});
server.middleware.unshift(async (ctx, next) => {
  const problem = await verify(ctx.req);
  if (problem) {
    console.error(`s3rver.mjs: ${ctx.method} ${ctx.url}: SignatureDoesNotMatch: ${problem}`);
    return s3Error(ctx, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
  }
  const uploadId = ctx.query.uploadId;
  if (failPart && ctx.method === "PUT" && uploadId && ctx.query.partNumber === failPart) {
    return s3Error(ctx, 500, "InternalError", "Injected failure for this part.");
  }
  if (ctx.method === "DELETE" && uploadId) {
    if (!/^[0-9a-f]+$/.test(uploadId)) return s3Error(ctx, 404, "NoSuchUpload", "The specified upload does not exist.");
    const dir = path.join(server.store.getResourcePath(bucket, undefined, "uploads"), uploadId);
    const exists = await stat(dir).then(() => true, () => false);
    if (!exists) return s3Error(ctx, 404, "NoSuchUpload", "The specified upload does not exist.");
    await rm(dir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  return next();
});

const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + "\n");

async function stop() {
  await server.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
