import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatTime } from '../../player/format';
import { barSpan, peakScale, peaksToColumns, playedColumns, positionForX, type WaveformData } from './waveform';
import styles from './Waveform.module.css';

export interface WaveformProps {
  peaks: WaveformData | null;
  positionS: number;
  durationS: number;
  onSeek(positionS: number): void;
  label: string;
  valueText: string;
  /** Bar width and gap in CSS pixels; the player bar uses thinner bars. */
  bar?: number;
  gap?: number;
  className?: string;
  disabled?: boolean;
}

const kKeyStepS = 5;

function cssColor(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

/** Canvas width in CSS pixels, kept in step with the layout. */
function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * The track's peaks on a canvas: played part in the accent colour, click or drag to seek, the
 * time under the pointer on hover. Keyboard users get a slider (arrows seek by 5 s).
 */
export function Waveform({
  peaks,
  positionS,
  durationS,
  onSeek,
  label,
  valueText,
  bar = 2,
  gap = 1,
  className,
  disabled = false,
}: WaveformProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const width = useWidth(wrapRef);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const [dragS, setDragS] = useState<number | null>(null);
  const [theme, setTheme] = useState(0);
  const step = bar + gap;
  const columns = useMemo(
    () => (peaks && width > 0 ? peaksToColumns(peaks, Math.floor(width / step)) : null),
    [peaks, width, step],
  );
  const shownS = dragS ?? positionS;
  const scale = useMemo(() => (peaks ? peakScale(peaks) * 0.95 : 1), [peaks]);

  // Colours come from the theme's custom properties: redraw when the theme changes.
  useEffect(() => {
    if (typeof MutationObserver === 'undefined') return;
    const observer = new MutationObserver(() => setTheme((n) => n + 1));
    observer.observe(document.documentElement, { attributes: true });
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    const wrap = wrapRef.current;
    if (!canvas || !wrap || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    const height = wrap.clientHeight;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const played = cssColor(wrap, '--color-accent', '#8b6dff');
    const rest = cssColor(wrap, '--color-text-muted', '#a3a8b8');
    if (!columns) {
      // No peaks (yet): a flat line still shows where to click.
      ctx.fillStyle = rest;
      ctx.globalAlpha = 0.5;
      ctx.fillRect(0, height / 2 - 1, width, 2);
      ctx.globalAlpha = 1;
      ctx.fillStyle = played;
      ctx.fillRect(0, height / 2 - 1, durationS > 0 ? (Math.min(shownS, durationS) / durationS) * width : 0, 2);
      return;
    }
    const count = columns.max.length;
    const playedCount = playedColumns(shownS, durationS, count);
    for (let x = 0; x < count; x += 1) {
      const { y, h } = barSpan((columns.min[x] ?? 0) * scale, (columns.max[x] ?? 0) * scale, height);
      ctx.fillStyle = x < playedCount ? played : rest;
      ctx.globalAlpha = x < playedCount ? 1 : 0.55;
      ctx.fillRect(x * step, y, bar, h);
    }
    ctx.globalAlpha = 1;
  }, [columns, width, shownS, durationS, step, bar, theme, scale]);

  const xOf = (event: PointerEvent) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return event.clientX - rect.left;
  };
  const timeAt = (x: number) => positionForX(x, width, durationS);
  const interactive = !disabled && durationS > 0;

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (!interactive || event.button !== 0) return;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    setDragS(timeAt(xOf(event)));
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const x = xOf(event);
    setHoverX(x);
    if (dragS !== null) setDragS(timeAt(x));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (dragS === null) return;
    const target = timeAt(xOf(event));
    setDragS(null);
    onSeek(target);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!interactive) return;
    const moves: Record<string, number> = {
      ArrowLeft: positionS - kKeyStepS,
      ArrowDown: positionS - kKeyStepS,
      ArrowRight: positionS + kKeyStepS,
      ArrowUp: positionS + kKeyStepS,
      Home: 0,
      End: durationS,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    // Handled here so the global shortcuts do not seek a second time.
    event.preventDefault();
    event.stopPropagation();
    onSeek(Math.max(0, Math.min(durationS, target)));
  };

  return (
    <div
      ref={wrapRef}
      className={`${styles.wave} ${className ?? ''}`}
      role="slider"
      tabIndex={interactive ? 0 : -1}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={Math.round(durationS)}
      aria-valuenow={Math.round(Math.min(shownS, durationS))}
      aria-valuetext={valueText}
      aria-disabled={!interactive}
      data-drawn={columns ? 'peaks' : 'line'}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setDragS(null)}
      onPointerLeave={() => setHoverX(null)}
      onKeyDown={onKeyDown}
    >
      <canvas ref={canvasRef} className={styles.canvas} aria-hidden="true" />
      {interactive && hoverX !== null && (
        <span className={styles.hover} style={{ left: `${Math.max(0, Math.min(hoverX, width))}px` }} aria-hidden="true">
          <span className={styles.hoverTime}>{formatTime(timeAt(hoverX))}</span>
        </span>
      )}
    </div>
  );
}
