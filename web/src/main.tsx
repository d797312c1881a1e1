import './styles/tokens.css';
import './styles/base.css';
import './i18n';
import './app/theme';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { createQueryClient } from './app/queryClient';
import { createRouter } from './app/router';
import { restoreSession } from './features/auth/session';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

void restoreSession();

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <RouterProvider router={createRouter()} />
    </QueryClientProvider>
  </StrictMode>,
);
