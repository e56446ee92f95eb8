/**
 * One cell of a result grid, cut out at the resolution it was drawn at. Grids are laid out by
 * images.ts's `tile`: one column for a single image, else two columns, cells left to right, top to bottom.
 */
import sharp from 'sharp';
import { UserInputError } from './errors.ts';

export const gridColumns = (cells: number) => (cells === 1 ? 1 : 2);

/** The PNG of cell `cell` (0-based) of a grid of `cells` images. */
export async function gridCellPng(grid: Buffer, cells: number, cell: number): Promise<Buffer> {
  if (!Number.isInteger(cells) || cells < 1) throw new RangeError(`gridCellPng: ${cells} cells`);
  if (!Number.isInteger(cell) || cell < 0 || cell >= cells) throw new UserInputError(`This result has only ${cells} image(s).`);
  const { width, height } = await sharp(grid).metadata();
  const columns = gridColumns(cells);
  const rows = Math.ceil(cells / columns);
  if (!width || !height || width % columns !== 0 || height % rows !== 0) throw new RangeError(`gridCellPng: a ${width}×${height} grid cannot hold ${cells} cells`);
  const w = width / columns;
  const h = height / rows;
  return sharp(grid)
    .extract({ left: (cell % columns) * w, top: Math.floor(cell / columns) * h, width: w, height: h })
    .png()
    .toBuffer();
}
