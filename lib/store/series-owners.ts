// Which group owns each stored series, by seriesId (lib/consistency/check-push.ts): one entry per series of the
// store, so it is kept compact. A Map<number, string> costs ~65 B per entry (a boxed 53-bit key and a hash-table
// entry); this open-addressing table costs 12 B per slot (a Float64Array of keys, an Int32Array of owner numbers)
// at most 75% full, ~13 MB less at 300k series (BENCHMARKS.md, issue 17, Memory). Owners (group keys, few) are
// numbered, each with a count of its entries.

const EMPTY = -1; // never a seriesId (they are non-negative integers)
const DELETED = -2;
const MIN_SLOTS = 1024;

export class SeriesOwners {
  private keys = new Float64Array(MIN_SLOTS).fill(EMPTY);
  private owners = new Int32Array(MIN_SLOTS);
  private used = 0; // live entries
  private filled = 0; // live + deleted slots

  private readonly ownerNumber = new Map<string, number>();
  private readonly ownerKey: Array<string | undefined> = [];
  private readonly ownerEntries: number[] = [];
  private readonly freeNumbers: number[] = [];

  get size(): number {
    return this.used;
  }

  get(id: number): string | undefined {
    const i = this.find(id);
    return i < 0 ? undefined : this.ownerKey[this.owners[i]!];
  }

  set(id: number, owner: string): void {
    let i = this.find(id);
    if (i >= 0) {
      this.release(this.owners[i]!);
      this.owners[i] = this.acquire(owner);
      return;
    }
    if ((this.filled + 1) * 4 > this.keys.length * 3) this.rehash();
    const mask = this.keys.length - 1;
    i = this.slotOf(id);
    for (;;) {
      const k = this.keys[i]!;
      if (k === EMPTY || k === DELETED) break;
      i = (i + 1) & mask;
    }
    if (this.keys[i] === EMPTY) this.filled++;
    this.keys[i] = id;
    this.owners[i] = this.acquire(owner);
    this.used++;
  }

  delete(id: number): boolean {
    const i = this.find(id);
    if (i < 0) return false;
    this.keys[i] = DELETED;
    this.release(this.owners[i]!);
    this.used--;
    return true;
  }

  /** The slot holding id, or -1. */
  private find(id: number): number {
    const mask = this.keys.length - 1;
    for (let i = this.slotOf(id); ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (k === id) return i;
      if (k === EMPTY) return -1;
    }
  }

  /** The first slot to probe: the id's low bits mixed (ids are hashes already, but their low bits alone may not be). */
  private slotOf(id: number): number {
    const lo = (id % 4294967296) | 0;
    const hi = (id / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) & (this.keys.length - 1);
  }

  /** Resizes (or just clears deleted slots) so the table is at most half full after. */
  private rehash(): void {
    let slots = MIN_SLOTS;
    while (slots < (this.used + 1) * 2) slots *= 2;
    const oldKeys = this.keys;
    const oldOwners = this.owners;
    this.keys = new Float64Array(slots).fill(EMPTY);
    this.owners = new Int32Array(slots);
    this.filled = this.used;
    const mask = slots - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k < 0) continue;
      let i = this.slotOf(k);
      while (this.keys[i] !== EMPTY) i = (i + 1) & mask;
      this.keys[i] = k;
      this.owners[i] = oldOwners[j]!;
    }
  }

  private acquire(owner: string): number {
    let n = this.ownerNumber.get(owner);
    if (n === undefined) {
      n = this.freeNumbers.pop() ?? this.ownerKey.length;
      this.ownerNumber.set(owner, n);
      this.ownerKey[n] = owner;
      this.ownerEntries[n] = 0;
    }
    this.ownerEntries[n]!++;
    return n;
  }

  private release(n: number): void {
    if (--this.ownerEntries[n]! > 0) return;
    this.ownerNumber.delete(this.ownerKey[n]!);
    this.ownerKey[n] = undefined;
    this.freeNumbers.push(n);
  }
}
