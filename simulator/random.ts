/**
 * A small seeded PRNG and hashing, so every decision of the simulator is a pure function of
 * (seed, who, when): batch runs are byte-identical, and live mode can ask "what happens to this
 * tenant in this second" in any order. Math.random is never used.
 */

/** Murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units, finalised; stable across runs and platforms. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Combines integers into one 32-bit key; order matters. Numbers beyond 2^32 keep their high part. */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const lo = part >>> 0;
    const hi = Math.floor(part / 0x100000000) >>> 0;
    h = fmix32(h ^ lo) + 0x7f4a7c15;
    h = fmix32(h ^ hi);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, good enough for traffic modelling (not for cryptography). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random stream with the distributions the traffic model needs. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Poisson count with mean `lambda` (Knuth; split for large means to keep exp() from underflowing). */
  poisson(lambda: number): number {
    let count = 0;
    let rest = lambda;
    while (rest > 0) {
      const step = Math.min(rest, 30);
      rest -= step;
      const limit = Math.exp(-step);
      let p = this.next();
      while (p > limit) {
        count++;
        p *= this.next();
      }
    }
    return count;
  }

  /** Log-normal multiplier with median 1 and log-space spread `sigma`. */
  lognormal(sigma: number): number {
    return Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal (Box-Muller; always consumes two draws so streams stay aligned). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Picks an item by weight. */
  weighted<T extends { readonly weight: number }>(items: readonly T[]): T {
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    let x = this.next() * total;
    for (const item of items) {
      x -= item.weight;
      if (x < 0) return item;
    }
    return items[items.length - 1] as T;
  }

  /** Picks an item uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** The stream for one purpose, one subject and one instant: `rngFor(seed, hashString('acme'), second, PURPOSE)`. */
export function rngFor(...parts: number[]): Rng {
  return new Rng(mix(...parts));
}
