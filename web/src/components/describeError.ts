import type { TFunction } from 'i18next';
import { ApiError, kNetworkErrorCode, kOfflineCode } from '../api/client';

export interface ErrorDescription {
  message: string;
  requestId: string | null;
  status: number | null;
}

/** The sentence to show for any thrown value: the server's own message when there is one. */
export function describeError(error: unknown, t: TFunction): ErrorDescription {
  if (error instanceof ApiError) {
    if (error.code === kOfflineCode) return { message: t('errors.offline'), requestId: null, status: 0 };
    if (error.code === kNetworkErrorCode) {
      return { message: t('errors.network'), requestId: null, status: 0 };
    }
    return { message: error.message, requestId: error.requestId, status: error.status };
  }
  return { message: t('errors.unexpected'), requestId: null, status: null };
}
