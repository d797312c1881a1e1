import styles from './Spinner.module.css';

interface SpinnerProps {
  /** Announced to screen readers; omit when the surrounding control already says it is busy. */
  label?: string;
  size?: number;
}

export function Spinner({ label, size = 20 }: SpinnerProps) {
  return (
    <span className={styles.root} role={label ? 'status' : undefined}>
      <svg className={styles.svg} width={size} height={size} viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="3" opacity="0.25" />
        <path d="M21 12a9 9 0 0 0-9-9" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
      </svg>
      {label && <span className="visually-hidden">{label}</span>}
    </span>
  );
}
