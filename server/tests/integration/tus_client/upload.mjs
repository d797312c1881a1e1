// Uploads one file with tus-js-client (Node's http stack) and prints a JSON line about the outcome.
//   node upload.mjs --endpoint URL --token T --file PATH --chunk-size N --store DIR [--abort-after K]
// With --abort-after K the upload is aborted once K chunks were acknowledged (an interrupted upload);
// without it, a previous upload of the same file recorded in --store is found and resumed from its URL.
import fs from "node:fs";
import path from "node:path";
import * as tus from "tus-js-client";

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  for (const key of ["endpoint", "token", "file", "chunk-size", "store"]) {
    if (!out[key]) throw new Error(`--${key} is required`);
  }
  return out;
}

function report(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

async function main() {
  const a = args();
  const abortAfter = a["abort-after"] ? Number(a["abort-after"]) : 0;
  const size = fs.statSync(a.file).size;
  let chunks = 0;
  const upload = await new Promise((resolve, reject) => {
    const u = new tus.Upload(fs.createReadStream(a.file), {
      endpoint: a.endpoint,
      chunkSize: Number(a["chunk-size"]),
      headers: { Authorization: `Bearer ${a.token}` },
      metadata: { filename: path.basename(a.file), filetype: "application/octet-stream" },
      urlStorage: new tus.FileUrlStorage(path.join(a.store, "tus-urls.json")),
      retryDelays: [],
      onChunkComplete: (_chunkSize, accepted) => {
        chunks += 1;
        if (abortAfter && chunks >= abortAfter) {
          u.abort(false).then(() => resolve({ u, aborted: true, accepted }), reject);
        }
      },
      onSuccess: () => resolve({ u, aborted: false, accepted: size }),
      onError: reject,
    });
    if (abortAfter) {
      u.start();
      return;
    }
    u.findPreviousUploads().then((previous) => {
      if (previous.length === 0) return reject(new Error("no previous upload recorded to resume"));
      u.resumeFromPreviousUpload(previous[0]);
      u.start();
    }, reject);
  });
  report({ url: upload.u.url, aborted: upload.aborted, accepted: upload.accepted, chunks, size });
}

main().catch((err) => {
  process.stderr.write(`tus upload failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
