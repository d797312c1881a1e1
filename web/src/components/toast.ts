import { create } from 'zustand';

export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

interface ToastState {
  toasts: Toast[];
  show(message: string, kind?: ToastKind): number;
  dismiss(id: number): void;
}

export const kToastMs = 5000;
let nextId = 1;

/** The one toast queue; call `toast(...)` from anywhere, <Toaster/> renders it. */
export const useToasts = create<ToastState>()((set) => ({
  toasts: [],
  show(message, kind = 'info') {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, message }] }));
    setTimeout(() => useToasts.getState().dismiss(id), kToastMs);
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export function toast(message: string, kind: ToastKind = 'info'): number {
  return useToasts.getState().show(message, kind);
}
