import { ApiError, parseAnswer } from './client';
import { api } from './instance';
import type { Track } from './types';

export interface UploadProgress {
  loaded: number;
  total: number;
}

function sendOnce(
  form: FormData,
  onProgress: (progress: UploadProgress) => void,
  signal: AbortSignal,
): Promise<Track> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', api.url('/tracks'));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const authorization = api.authorization();
    if (authorization) xhr.setRequestHeader('Authorization', authorization);
    xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.total });
    xhr.onload = () => {
      try {
        resolve(
          parseAnswer<Track>(xhr.status, xhr.statusText, xhr.responseText, xhr.getResponseHeader('X-Request-Id')),
        );
      } catch (error) {
        reject(error);
      }
    };
    xhr.onerror = () =>
      reject(new ApiError(0, { code: 'network_error', message: 'The upload was interrupted.' }));
    signal.addEventListener('abort', () => xhr.abort());
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    xhr.send(form);
  });
}

/**
 * POST /tracks as multipart/form-data with upload progress, the metadata as text fields. An
 * expired access token is refreshed once, like every other call. The fallback when the server
 * has no resumable (tus) uploads.
 */
export async function uploadTrack(
  file: File,
  fields: Record<string, string>,
  onProgress: (progress: UploadProgress) => void,
  signal: AbortSignal,
): Promise<Track> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('file', file, file.name);
  try {
    return await sendOnce(form, onProgress, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && (await api.refresh())) {
      return sendOnce(form, onProgress, signal);
    }
    throw error;
  }
}

/** Where tus uploads are created. */
export function tusEndpoint(): string {
  return new URL(api.url('/uploads'), window.location.href).href;
}

let tusSupport: Promise<boolean> | null = null;

/** Whether the server speaks tus 1.0.0 at /uploads (asked once per page load). */
export function serverHasTus(): Promise<boolean> {
  tusSupport ??= fetch(tusEndpoint(), { method: 'OPTIONS' })
    .then((r) => r.ok && (r.headers.get('Tus-Version') ?? '').split(',').some((v) => v.trim() === '1.0.0'))
    .catch(() => false);
  return tusSupport;
}
