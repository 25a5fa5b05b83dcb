// Tells the resident which village the pin falls in, before the server decides it for real.
type Ring = number[][];

function inRing([x, y]: [number, number], ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function inPolygonal(lng: number, lat: number, g: { type: string; coordinates: unknown }): boolean {
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Ring[][];
  return polygons.some(
    ([outer, ...holes]) => !!outer && inRing([lng, lat], outer) && !holes.some((h) => inRing([lng, lat], h)),
  );
}

/** The name of the village a point falls in, if any. */
export function villageAt(
  features: { properties: { name: string }; geometry: { type: string; coordinates: unknown } }[],
  lat: number,
  lng: number,
): string | null {
  return features.find((f) => inPolygonal(lng, lat, f.geometry))?.properties.name ?? null;
}
