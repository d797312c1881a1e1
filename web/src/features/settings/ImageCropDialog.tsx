import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog } from '../../components';
import { cropRect, kMaxZoom, outputSize, panFocus, type CropFocus, type CropSpec } from './crop';
import styles from './ImageCrop.module.css';

/** Decodes a chosen file for the canvas; the object URL is released once loaded. */
export function loadImage(file: Blob): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () => {
      URL.revokeObjectURL(url);
      resolve(image);
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('undecodable image'));
    };
    image.src = url;
  });
}

/** Draws the crop window at the server's size and encodes it (JPEG: the server re-encodes to JPEG anyway). */
export function renderCrop(image: HTMLImageElement, spec: CropSpec, zoom: number, focus: CropFocus): Promise<Blob> {
  const rect = cropRect(image.naturalWidth, image.naturalHeight, spec.aspect, zoom, focus);
  const { width, height } = outputSize(rect, spec);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return Promise.reject(new Error('no canvas'));
  // Transparent pixels would turn black in a JPEG.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, rect.sx, rect.sy, rect.sw, rect.sh, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('encoding failed'))), 'image/jpeg', 0.92),
  );
}

const kPreviewWidth = 960;

export function ImageCropDialog({
  title,
  image,
  spec,
  saving,
  onCancel,
  onSave,
}: {
  title: string;
  image: HTMLImageElement | null;
  spec: CropSpec;
  saving: boolean;
  onCancel(): void;
  onSave(blob: Blob): void;
}) {
  const { t } = useTranslation();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [zoom, setZoom] = useState(1);
  const [focus, setFocus] = useState<CropFocus>({ x: 0.5, y: 0.5 });
  const [encoding, setEncoding] = useState(false);
  const drag = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    setZoom(1);
    setFocus({ x: 0.5, y: 0.5 });
  }, [image]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context || !image) return;
    const rect = cropRect(image.naturalWidth, image.naturalHeight, spec.aspect, zoom, focus);
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, rect.sx, rect.sy, rect.sw, rect.sh, 0, 0, canvas.width, canvas.height);
  }, [image, spec.aspect, zoom, focus]);

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, y: event.clientY };
  };
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!drag.current || !image) return;
    const dx = event.clientX - drag.current.x;
    const dy = event.clientY - drag.current.y;
    drag.current = { x: event.clientX, y: event.clientY };
    const rect = cropRect(image.naturalWidth, image.naturalHeight, spec.aspect, zoom, focus);
    setFocus(panFocus(focus, rect, image.naturalWidth, image.naturalHeight, event.currentTarget.clientWidth, dx, dy));
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const save = async () => {
    if (!image) return;
    setEncoding(true);
    try {
      onSave(await renderCrop(image, spec, zoom, focus));
    } finally {
      setEncoding(false);
    }
  };

  const percent = (value: number) => `${Math.round(value * 100)} %`;
  return (
    <Dialog
      open={image !== null}
      title={title}
      description={t('accountSettings.cropHint')}
      onClose={onCancel}
      footer={
        <>
          <Button onClick={onCancel} disabled={saving || encoding}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" loading={saving || encoding} onClick={() => void save()}>
            {t('accountSettings.cropSave')}
          </Button>
        </>
      }
    >
      <div className={styles.stage} data-shape={spec.aspect === 1 ? 'round' : 'wide'}>
        <canvas
          ref={canvasRef}
          className={styles.canvas}
          width={kPreviewWidth}
          height={Math.round(kPreviewWidth / spec.aspect)}
          style={{ aspectRatio: `${spec.aspect} / 1` }}
          role="img"
          aria-label={t('accountSettings.cropPreview')}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
        />
      </div>
      <div className={styles.controls}>
        <label>
          <span>{t('accountSettings.zoom')}</span>
          <input
            type="range"
            min={1}
            max={kMaxZoom}
            step={0.01}
            value={zoom}
            aria-valuetext={percent(zoom)}
            onChange={(e) => setZoom(Number(e.target.value))}
          />
        </label>
        <label>
          <span>{t('accountSettings.horizontal')}</span>
          <input
            type="range"
            min={0}
            max={1}
            step={0.01}
            value={focus.x}
            aria-valuetext={percent(focus.x)}
            onChange={(e) => setFocus({ ...focus, x: Number(e.target.value) })}
          />
        </label>
        <label>
          <span>{t('accountSettings.vertical')}</span>
          <input
            type="range"
            min={0}
            max={1}
            step={0.01}
            value={focus.y}
            aria-valuetext={percent(focus.y)}
            onChange={(e) => setFocus({ ...focus, y: Number(e.target.value) })}
          />
        </label>
      </div>
    </Dialog>
  );
}
