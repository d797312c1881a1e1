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
                import('../features/settings/SettingsLayout').then((m) => ({ Component: m.SettingsLayout })),
              children: [
                {
                  index: true,
                  lazy: () =>
                    import('../features/settings/GeneralSettings').then((m) => ({ Component: m.GeneralSettings })),
                },
                {
                  path: 'profile',
                  lazy: () =>
                    import('../features/settings/ProfileSettings').then((m) => ({ Component: m.ProfileSettings })),
                },
                {
                  path: 'security',
                  lazy: () =>
                    import('../features/settings/SecuritySettings').then((m) => ({ Component: m.SecuritySettings })),
                },
                {
                  path: 'sessions',
                  lazy: () =>
                    import('../features/settings/SessionsSettings').then((m) => ({ Component: m.SessionsSettings })),
                },
                {
                  path: 'connections',
                  lazy: () =>
                    import('../features/settings/ConnectionsSettings').then((m) => ({
                      Component: m.ConnectionsSettings,
                    })),
                },
                {
                  path: 'data',
                  lazy: () => import('../features/settings/DataSettings').then((m) => ({ Component: m.DataSettings })),
                },
              ],
            },
            {
              path: 'oauth/complete',
              lazy: () =>
                import('../features/auth/OAuthCompletePage').then((m) => ({ Component: m.OAuthCompletePage })),
            },
            {
              path: 'verify-email',
              lazy: () => import('../features/auth/VerifyEmailPage').then((m) => ({ Component: m.VerifyEmailPage })),
            },
            {
              path: 'forgot-password',
              lazy: () =>
                import('../features/auth/ForgotPasswordPage').then((m) => ({ Component: m.ForgotPasswordPage })),
            },
            {
              path: 'reset-password',
              lazy: () =>
                import('../features/auth/ResetPasswordPage').then((m) => ({ Component: m.ResetPasswordPage })),
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
