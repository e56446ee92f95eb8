/**
 * Images as attachments within Discord's upload limit (10 MiB per message): a PNG that fits goes as it
 * is; a larger one (a 2×2 grid of 1024 px images can be 12 MB) goes as a JPEG at the highest quality
 * that fits (engine/fit-bytes.ts). The stored result keeps the PNG, so U1–U4 still cut cells out of it losslessly.
 */
import { fitImageBytes } from '../engine/fit-bytes.ts';
import { LIMITS } from './limits.ts';

export interface UploadFile {
  attachment: Buffer;
  name: string;
}

/** `png` as `<base>.png`, or as `<base>.jpg` when it is over `budget` bytes. */
export async function imageUpload(png: Buffer, base: string, budget: number = LIMITS.uploadBytes): Promise<UploadFile> {
  const fitted = await fitImageBytes(png, budget);
  return { attachment: fitted.data, name: `${base}.${fitted.format === 'png' ? 'png' : 'jpg'}` };
}
