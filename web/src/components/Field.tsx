import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import styles from './Field.module.css';

interface FieldProps {
  label: string;
  hint?: string;
  /** Shown under the control and announced; marks the control invalid. */
  error?: string | null;
}

interface ControlIds {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

function Field({
  label,
  hint,
  error,
  id,
  required,
  children,
}: FieldProps & { id: string; required?: boolean; children: (ids: ControlIds) => ReactNode }) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={styles.field}>
      <label className={styles.label} htmlFor={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && (
        <p id={hintId ?? undefined} className={styles.hint}>
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId ?? undefined} className={styles.error} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

type InputProps = FieldProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & { ref?: Ref<HTMLInputElement> };

export function Input({ label, hint, error, className, ...rest }: InputProps) {
  const id = useId();
  return (
    <Field label={label} hint={hint} error={error} id={id} required={rest.required}>
      {(ids) => (
        <input
          id={ids.id}
          className={[styles.control, className].filter(Boolean).join(' ')}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid || undefined}
          {...rest}
        />
      )}
    </Field>
  );
}

type TextAreaProps = FieldProps &
  Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & { ref?: Ref<HTMLTextAreaElement> };

export function TextArea({ label, hint, error, className, ...rest }: TextAreaProps) {
  const id = useId();
  return (
    <Field label={label} hint={hint} error={error} id={id} required={rest.required}>
      {(ids) => (
        <textarea
          id={ids.id}
          className={[styles.control, styles.textarea, className].filter(Boolean).join(' ')}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid || undefined}
          {...rest}
        />
      )}
    </Field>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

type SelectProps = FieldProps &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
    options: readonly SelectOption[];
    ref?: Ref<HTMLSelectElement>;
  };

export function Select({ label, hint, error, options, className, ...rest }: SelectProps) {
  const id = useId();
  return (
    <Field label={label} hint={hint} error={error} id={id} required={rest.required}>
      {(ids) => (
        <select
          id={ids.id}
          className={[styles.control, styles.select, className].filter(Boolean).join(' ')}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid || undefined}
          {...rest}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
