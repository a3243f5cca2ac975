// The order compared items are shown in (Pairwise sides, Ranker items), so that position bias can be measured
// and removed. With a seed ("task:annotator"), each control's items are shuffled the same way on every reload;
// an order recorded in an annotation's `presentation` is shown again as it was. Results never depend on the
// order: they name items in the config's terms.

// FNV-1a over the string, then a small PRNG (mulberry32) seeded with it: stable across browsers.
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededShuffle(items, seed) {
  const out = [...items];
  const next = random(hash(seed));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const samePermutation = (a, b) => Array.isArray(a) && a.length === b.length && [...a].sort().join("\u0000") === [...b].sort().join("\u0000");

// One per editor: `orderFor(name, items)` decides and remembers; `recorded()` is the annotation's presentation.
export class Presentation {
  constructor({ given = null, seed = null } = {}) {
    this.given = given && typeof given === "object" ? given : {};
    this.seed = seed;
    this.shown = {};
  }

  orderFor(name, items) {
    const ids = items.map(String);
    let order = ids;
    if (samePermutation(this.given[name], ids)) order = this.given[name].map(String);
    else if (this.seed) order = seededShuffle(ids, `${this.seed}:${name}`);
    if (ids.length > 1) this.shown[name] = order;
    return order;
  }

  recorded() {
    return Object.keys(this.shown).length ? structuredClone(this.shown) : null;
  }
}
