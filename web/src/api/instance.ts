import { ApiClient } from './client';

/** The app's one client; modules import it rather than constructing their own. */
export const api = new ApiClient();
