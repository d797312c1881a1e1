import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { Button } from '../../components';
import styles from './PlayerBar.module.css';

interface DocumentPictureInPicture {
  requestWindow(options?: { width?: number; height?: number }): Promise<Window>;
  readonly window: Window | null;
}

function documentPip(): DocumentPictureInPicture | null {
  const api = (window as Window & { documentPictureInPicture?: DocumentPictureInPicture }).documentPictureInPicture;
  return api ?? null;
}

/** The app's styles and theme, copied into the picture-in-picture document. */
function copyStyles(from: Document, to: Document): void {
  for (const sheet of Array.from(from.styleSheets)) {
    try {
      const style = to.createElement('style');
      style.textContent = Array.from(sheet.cssRules, (rule) => rule.cssText).join('\n');
      to.head.append(style);
    } catch {
      // A cross-origin sheet cannot be read: link it instead.
      if (sheet.href) {
        const link = to.createElement('link');
        link.rel = 'stylesheet';
        link.href = sheet.href;
        to.head.append(link);
      }
    }
  }
  for (const attribute of Array.from(from.documentElement.attributes)) {
    to.documentElement.setAttribute(attribute.name, attribute.value);
  }
}

/**
 * A button that opens the mini player in a Document Picture-in-Picture window (Chromium 116+);
 * absent where the browser lacks it. The window shows `children` through a portal, so it is the
 * same live React tree as the bar.
 */
export function PictureInPicture({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  const [pipWindow, setPipWindow] = useState<Window | null>(null);
  const api = documentPip();

  useEffect(() => {
    if (!pipWindow) return;
    const onClose = () => setPipWindow(null);
    pipWindow.addEventListener('pagehide', onClose);
    return () => pipWindow.removeEventListener('pagehide', onClose);
  }, [pipWindow]);

  if (!api) return null;

  const toggle = async () => {
    if (pipWindow) {
      pipWindow.close();
      setPipWindow(null);
      return;
    }
    try {
      const opened = await api.requestWindow({ width: 380, height: 150 });
      copyStyles(document, opened.document);
      opened.document.title = t('playerExtra.pip');
      opened.document.body.className = styles.pipBody ?? '';
      setPipWindow(opened);
    } catch {
      // Refused (no user gesture, or another window is open): nothing to undo.
    }
  };

  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        icon={<PipIcon />}
        aria-label={pipWindow ? t('playerExtra.pipClose') : t('playerExtra.pip')}
        aria-pressed={pipWindow !== null}
        onClick={() => void toggle()}
        className={styles.secondaryControl}
      />
      {pipWindow && createPortal(<div className={styles.pip}>{children}</div>, pipWindow.document.body)}
    </>
  );
}

function PipIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <rect x="2" y="4" width="20" height="16" rx="2" />
      <rect x="12" y="11" width="8" height="7" rx="1" fill="currentColor" />
    </svg>
  );
}
