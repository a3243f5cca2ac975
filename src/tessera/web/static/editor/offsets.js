// JavaScript strings count UTF-16 code units; Label Studio's offsets (and Python's slices) count code points.
// The index maps between the two; for text without astral characters both are the same and it costs nothing.

export function codePointIndex(text) {
  let astral = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      astral = true;
      break;
    }
  }
  if (!astral) return { toUnit: (p) => p, toPoint: (u) => u };
  const unitOfPoint = [];
  const pointOfUnit = new Int32Array(text.length + 1);
  let point = 0;
  for (let unit = 0; unit < text.length; unit++) {
    const c = text.charCodeAt(unit);
    const low = c >= 0xdc00 && c <= 0xdfff && unit > 0;
    if (!low) {
      unitOfPoint.push(unit);
      pointOfUnit[unit] = point++;
    } else {
      pointOfUnit[unit] = point; // inside a pair: counts as the next point
    }
  }
  unitOfPoint.push(text.length);
  pointOfUnit[text.length] = point;
  return {
    toUnit: (p) => unitOfPoint[Math.min(Math.max(p, 0), unitOfPoint.length - 1)],
    toPoint: (u) => pointOfUnit[Math.min(Math.max(u, 0), text.length)],
  };
}
