import type { DetailedError, HttpRequest, PreviousUpload, Upload } from 'tus-js-client';
import { api } from '../../api/instance';
import { tusEndpoint } from '../../api/uploads';

export interface TransferEvents {
  onProgress(sent: number, total: number): void;
  /** The whole file is on the server; `uploadId` goes into POST /tracks. */
  onSuccess(uploadId: string): void;
  onError(message: string): void;
}

export interface Transfer {
  pause(): void;
  resume(): void;
  /** Stops and deletes the partial upload on the server. */
  cancel(): Promise<void>;
}

/** An upload started before a reload and not finished, as remembered in localStorage. */
export interface UnfinishedUpload {
  key: string;
  fileName: string;
  size: number | null;
  createdAt: string;
  url: string | null;
}

/** PATCH bodies this size keep progress granular and make a lost request cheap to redo. */
const kChunkBytes = 8 * 1024 * 1024;
const kRetryDelaysMs = [0, 1000, 3000, 5000, 10000];

const loadTus = () => import('tus-js-client');

let refreshing: Promise<unknown> | null = null;

/** Every tus request carries the current access token, waiting for a refresh in flight. */
async function authorize(req: HttpRequest): Promise<void> {
  if (refreshing) await refreshing;
  const authorization = api.authorization();
  if (authorization) req.setHeader('Authorization', authorization);
}

/**
 * A 401 means the 15-minute access token expired during a long upload: refresh it (the retry
 * waits for the refresh in onBeforeRequest) and try again. Other client errors are final.
 */
function shouldRetry(error: DetailedError, attempt: number): boolean {
  const status = error.originalResponse?.getStatus() ?? 0;
  if (status === 401) {
    if (attempt > 1) return false;
    refreshing ??= api.refresh().finally(() => {
      refreshing = null;
    });
    return true;
  }
  return status === 0 || status === 409 || status === 423 || status >= 500;
}

function messageOf(error: Error | DetailedError): string {
  const response = (error as DetailedError).originalResponse;
  const body = response?.getBody();
  if (body) {
    try {
      const parsed = JSON.parse(body) as { error?: { message?: string } };
      if (parsed.error?.message) return parsed.error.message;
    } catch {
      // Not the JSON envelope: fall back to the client's message.
    }
  }
  return error.message;
}

/** The upload id is the last segment of the upload URL the server gave. */
export function uploadIdFromUrl(url: string): string {
  const path = new URL(url, 'http://x').pathname.replace(/\/+$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * Starts (or, when this browser remembers an unfinished upload of the same file, resumes) a
 * tus 1.0.0 upload to /api/v1/uploads.
 */
export async function startTusUpload(file: File, events: TransferEvents): Promise<Transfer> {
  const tus = await loadTus();
  let upload: Upload | null = null;
  upload = new tus.Upload(file, {
    endpoint: tusEndpoint(),
    chunkSize: kChunkBytes,
    retryDelays: kRetryDelaysMs,
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    onBeforeRequest: authorize,
    onShouldRetry: shouldRetry,
    onProgress: (sent, total) => events.onProgress(sent, total),
    onError: (error) => events.onError(messageOf(error)),
    onSuccess: () => {
      if (upload?.url) events.onSuccess(uploadIdFromUrl(upload.url));
      else events.onError('The server did not name the upload.');
    },
  });
  const previous = await upload.findPreviousUploads();
  const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
  if (latest) upload.resumeFromPreviousUpload(latest);
  upload.start();
  const current = upload;
  return {
    pause: () => void current.abort(false),
    resume: () => current.start(),
    cancel: () => current.abort(true).catch(() => undefined),
  };
}

function toUnfinished(p: PreviousUpload): UnfinishedUpload {
  return {
    key: p.urlStorageKey,
    fileName: p.metadata.filename ?? '?',
    size: p.size,
    createdAt: p.creationTime,
    url: p.uploadUrl,
  };
}

/** Uploads this browser started and did not finish (they survive reloads in localStorage). */
export async function listUnfinished(): Promise<UnfinishedUpload[]> {
  const tus = await loadTus();
  if (!tus.canStoreURLs) return [];
  const all = await tus.defaultOptions.urlStorage.findAllUploads();
  const endpoint = tusEndpoint();
  return all.filter((p) => !p.uploadUrl || p.uploadUrl.startsWith(endpoint)).map(toUnfinished);
}

/** Forgets an unfinished upload here and deletes its partial file on the server. */
export async function forgetUnfinished(item: UnfinishedUpload): Promise<void> {
  const tus = await loadTus();
  await tus.defaultOptions.urlStorage.removeUpload(item.key);
  if (item.url) {
    await tus.Upload.terminate(item.url, { onBeforeRequest: authorize, retryDelays: [] }).catch(() => undefined);
  }
}
