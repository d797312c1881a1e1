// SigV4 helpers shared by the test peers: the AWS SDK's own signer does the arithmetic.
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { S3RequestPresigner } from "@aws-sdk/s3-request-presigner";

export class Sha256 {
  constructor(secret) {
    this.hash = secret ? createHmac("sha256", secret) : createHash("sha256");
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

// "20231114T221320Z" → Date.
export function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? "");
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

export function headerSigner({ accessKeyId, secretAccessKey, region }) {
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

export function queryPresigner({ accessKeyId, secretAccessKey, region }) {
  return new S3RequestPresigner({
    credentials: { accessKeyId, secretAccessKey },
    region,
    sha256: Sha256,
  });
}
