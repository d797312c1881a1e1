import { createBrowserRouter } from 'react-router';
import { RouteError } from '../features/errors/RouteError';
import { Layout } from './Layout';

/**
 * Every page is its own chunk so the home page downloads only itself. `:handle` carries the
 * `@username` segment (React Router matches whole segments; the page checks the `@`).
 */
export function createRouter() {
  return createBrowserRouter([
    {
      path: '/',
      Component: Layout,
      children: [
        {
          ErrorBoundary: RouteError,
          children: [
            {
              index: true,
              lazy: () => import('../features/home/HomePage').then((m) => ({ Component: m.HomePage })),
            },
            {
              path: 'signin',
              lazy: () => import('../features/auth/SignInPage').then((m) => ({ Component: m.SignInPage })),
            },
            {
              path: 'signup',
              lazy: () => import('../features/auth/SignUpPage').then((m) => ({ Component: m.SignUpPage })),
            },
            {
              path: 'upload',
              lazy: () => import('../features/upload/UploadPage').then((m) => ({ Component: m.UploadPage })),
            },
            {
              path: 'settings',
              lazy: () =>
                import('../features/settings/SettingsPage').then((m) => ({ Component: m.SettingsPage })),
            },
            {
              path: ':handle',
              lazy: () => import('../features/profile/ProfilePage').then((m) => ({ Component: m.ProfilePage })),
            },
            {
              path: 'tracks/:track',
              lazy: () => import('../features/tracks/TrackPage').then((m) => ({ Component: m.TrackPage })),
            },
            {
              path: 'tags/:tag',
              lazy: () => import('../features/tracks/TagPage').then((m) => ({ Component: m.TagPage })),
            },
            {
              path: ':handle/:track',
              lazy: () => import('../features/tracks/TrackPage').then((m) => ({ Component: m.TrackPage })),
            },
            {
              path: '*',
              lazy: () =>
                import('../features/errors/NotFoundPage').then((m) => ({ Component: () => <m.NotFoundPage /> })),
            },
          ],
        },
      ],
    },
  ]);
}
