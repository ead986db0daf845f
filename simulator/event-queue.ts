/**
 * A min-heap of dated events. Ties keep insertion order (a sequence number breaks them), so the
 * same events always come out in the same order: part of what makes batch output byte-identical.
 */
export class EventQueue<T extends { readonly ms: number }> {
  private readonly heap: { item: T; seq: number }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(item: T): void {
    this.heap.push({ item, seq: this.seq++ });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the earliest event if it is dated before `beforeMs`. */
  popBefore(beforeMs: number): T | undefined {
    const top = this.heap[0];
    if (!top || top.item.ms >= beforeMs) return undefined;
    const last = this.heap.pop() as { item: T; seq: number };
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.item;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a] as { item: T; seq: number };
    const y = this.heap[b] as { item: T; seq: number };
    return x.item.ms < y.item.ms || (x.item.ms === y.item.ms && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a] as { item: T; seq: number };
    this.heap[a] = this.heap[b] as { item: T; seq: number };
    this.heap[b] = t;
  }
}
