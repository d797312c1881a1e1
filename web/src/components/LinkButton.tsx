import { Link, type LinkProps } from 'react-router';
import type { ButtonVariant } from './Button';
import styles from './Button.module.css';

interface LinkButtonProps extends LinkProps {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
}

/** A navigation link that looks like a Button (navigation stays a link for the browser). */
export function LinkButton({ variant = 'secondary', size = 'md', className, ...rest }: LinkButtonProps) {
  return (
    <Link
      className={[styles.button, styles[variant], styles[size], styles.link, className].filter(Boolean).join(' ')}
      {...rest}
    />
  );
}
