const M_PER_DEG = 111_320;

/**
 * Points (the window's reports) on a grid of cells a little larger than the radius: a file looks at 3 × 3 cells.
 * Within a few hundred metres the earth is flat to centimetres, so distances are planar. A busy county's files each
 * have dozens of reports near them: millions of distances, kept as flat arrays of numbers.
 */
export class PointGrid {
  private cells = new Map<number, number[]>();
  private readonly radiusM: number;
  private readonly size: number;
  private readonly cos: number;
  constructor(radiusM: number, refLat: number | null) {
    this.radiusM = radiusM;
    this.size = radiusM * 1.2;
    this.cos = Math.cos(((refLat ?? 30) * Math.PI) / 180);
  }
  private row(lat: number) {
    return Math.floor((lat * M_PER_DEG) / this.size);
  }
  private col(lng: number) {
    return Math.floor((lng * M_PER_DEG * this.cos) / this.size);
  }
  // |col| < 100,000 on the whole earth at this size: one number per cell.
  private key(row: number, col: number) {
    return row * 200_000 + col;
  }
  add(lat: number, lng: number) {
    const key = this.key(this.row(lat), this.col(lng));
    const list = this.cells.get(key);
    if (list) list.push(lat, lng);
    else this.cells.set(key, [lat, lng]);
  }
  /** How many points lie within the radius of this one. */
  count(lat: number, lng: number): number {
    const y = this.row(lat),
      x = this.col(lng);
    const kx = M_PER_DEG * Math.cos((lat * Math.PI) / 180);
    const r2 = this.radiusM * this.radiusM;
    let n = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const cell = this.cells.get(this.key(y + dy, x + dx));
        if (!cell) continue;
        for (let i = 0; i < cell.length; i += 2) {
          const my = (cell[i]! - lat) * M_PER_DEG,
            mx = (cell[i + 1]! - lng) * kx;
          if (my * my + mx * mx <= r2) n++;
        }
      }
    return n;
  }
  /** Whether two points lie within the radius, measured as count() does. */
  within(a: { lat: number; lng: number }, b: { lat: number; lng: number }): boolean {
    const my = (a.lat - b.lat) * M_PER_DEG,
      mx = (a.lng - b.lng) * M_PER_DEG * Math.cos((a.lat * Math.PI) / 180);
    return my * my + mx * mx <= this.radiusM * this.radiusM;
  }
}
