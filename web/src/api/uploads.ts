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
 * POST /tracks as multipart/form-data with upload progress. An expired access token is refreshed
 * once, like every other call. Resumable (tus) uploads replace this for large files later.
 */
export async function uploadTrack(
  file: File,
  title: string,
  onProgress: (progress: UploadProgress) => void,
  signal: AbortSignal,
): Promise<Track> {
  const form = new FormData();
  form.set('title', title);
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
