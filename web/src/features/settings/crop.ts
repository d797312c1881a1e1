/** Where the cropped image is cut from in the source and how big it is drawn. */
export interface CropRect {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

/** A point of the crop window in the source image, each axis 0 (left/top) to 1 (right/bottom). */
export interface CropFocus {
  x: number;
  y: number;
}

export interface CropSpec {
  /** width / height: 1 for avatars, 3 for banners. */
  aspect: number;
  /** Pixels the server keeps: 512×512 avatar, 1500×500 banner. */
  outputWidth: number;
  outputHeight: number;
}

export const kAvatarCrop: CropSpec = { aspect: 1, outputWidth: 512, outputHeight: 512 };
export const kBannerCrop: CropSpec = { aspect: 3, outputWidth: 1500, outputHeight: 500 };
export const kMaxZoom = 4;

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * The largest window of `aspect` that fits the image, shrunk by `zoom` (≥ 1), placed by `focus`
 * (0–1 on each axis over the room left). The window never leaves the image, so the server's own
 * cover-crop of the result keeps exactly what the preview showed.
 */
export function cropRect(imageWidth: number, imageHeight: number, aspect: number, zoom = 1, focus: CropFocus = { x: 0.5, y: 0.5 }): CropRect {
  const z = clamp(zoom, 1, kMaxZoom);
  let sw = imageWidth;
  let sh = imageWidth / aspect;
  if (sh > imageHeight) {
    sh = imageHeight;
    sw = imageHeight * aspect;
  }
  sw /= z;
  sh /= z;
  const sx = (imageWidth - sw) * clamp(focus.x, 0, 1);
  const sy = (imageHeight - sh) * clamp(focus.y, 0, 1);
  return { sx, sy, sw, sh };
}

/**
 * Moves the focus by a drag of (dx, dy) pixels of a preview `previewWidth` pixels wide: the image
 * follows the pointer, so dragging right shows more of the left.
 */
export function panFocus(
  focus: CropFocus,
  rect: CropRect,
  imageWidth: number,
  imageHeight: number,
  previewWidth: number,
  dx: number,
  dy: number,
): CropFocus {
  const scale = rect.sw / previewWidth;
  const roomX = imageWidth - rect.sw;
  const roomY = imageHeight - rect.sh;
  return {
    x: roomX > 0 ? clamp((focus.x * roomX - dx * scale) / roomX, 0, 1) : 0.5,
    y: roomY > 0 ? clamp((focus.y * roomY - dy * scale) / roomY, 0, 1) : 0.5,
  };
}

/** Output size: the spec's, but never upscaled beyond the source pixels the window holds. */
export function outputSize(rect: CropRect, spec: CropSpec): { width: number; height: number } {
  const width = Math.max(1, Math.round(Math.min(spec.outputWidth, rect.sw)));
  return { width, height: Math.max(1, Math.round(width / spec.aspect)) };
}
