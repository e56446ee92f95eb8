/**
 * An image within a byte budget (a chat service's upload limit): the PNG as it is when it fits, else
 * a JPEG at the highest quality that fits, else at half the size (each side) and so on. Four 1024 px
 * images of fine detail make a 2048 px grid of up to 12.6 MB as PNG; as JPEG at quality 90 it is a
 * few MB, and looks the same.
 */
import sharp from 'sharp';

export const JPEG_QUALITIES = [90, 80, 70, 55, 40] as const;

export interface FittedImage {
  data: Buffer;
  format: 'png' | 'jpeg';
  /** When re-encoded: the JPEG's quality and size (a PNG that fits is not even decoded). */
  quality?: number;
  width?: number;
  height?: number;
}

export async function fitImageBytes(png: Buffer, maxBytes: number): Promise<FittedImage> {
  if (png.length <= maxBytes) return { data: png, format: 'png' };
  const { width, height } = await sharp(png).metadata();
  if (!width || !height) throw new RangeError('fitImageBytes: not an image');
  for (let scale = 1; ; scale *= 2) {
    const w = Math.max(1, Math.round(width / scale));
    const h = Math.max(1, Math.round(height / scale));
    for (const quality of JPEG_QUALITIES) {
      const resized = scale === 1 ? sharp(png) : sharp(png).resize(w, h, { kernel: 'lanczos3' });
      const data = await resized.jpeg({ quality, chromaSubsampling: quality >= 80 ? '4:4:4' : '4:2:0' }).toBuffer();
      if (data.length <= maxBytes) return { data, format: 'jpeg', quality, width: w, height: h };
    }
    if (w === 1 && h === 1) throw new RangeError(`fitImageBytes: cannot fit an image in ${maxBytes} bytes`);
  }
}
