/**
 * Where a public view puts a report: the centre of its cell in a fixed grid of ~100 m squares,
 * never the resident's pin. Rounding decimals would leave the pin recoverable from many reports
 * (or one pin moved until an answer changes); a fixed grid gives every report in a cell the same
 * point, at most ~71 m (half the diagonal) from where it was placed.
 *
 * Rows are CELL_M of latitude from the equator; each row is cut into CELL_M of longitude measured
 * at the row's middle latitude, so a cell is ~100 m wide at any latitude and the grid never moves.
 */
export const CELL_M = 100;
const M_PER_DEG = 111_320;
const DLAT = CELL_M / M_PER_DEG;

/** Half a cell's diagonal: a point is at most this far from its cell's centre. */
export const CELL_HALF_DIAGONAL_M = (CELL_M * Math.SQRT2) / 2;

export interface Cell {
  /** Row and column: the same for every point in the cell. */
  key: string;
  lat: number;
  lng: number;
}

export function gridCell(lat: number, lng: number): Cell {
  const row = Math.floor(lat / DLAT);
  const midLat = (row + 0.5) * DLAT;
  const dLng = CELL_M / (M_PER_DEG * Math.cos((midLat * Math.PI) / 180));
  const col = Math.floor(lng / dLng);
  // Six decimals (~0.1 m) only trims the float's noise: the point is already the cell's.
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  return { key: `${row}:${col}`, lat: round(midLat), lng: round((col + 0.5) * dLng) };
}
