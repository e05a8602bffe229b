// Xen's own printk conversions that its dumps use (docs/misc/printk-formats.txt): %*pbl (a CPU
// or node mask as a list, 0-3,6), %*pb (the mask as comma-separated 32-bit hex words) and %pv
// (d0v1, d[IDLE]v2).

/** %*pbl: ranges of set bits. */
export function maskList(bits: Iterable<number>): string {
  const sorted = [...new Set(bits)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** %*pb over `nrBits` bits: the top, partial word first, as wide as its bits need. */
export function maskHex(bits: Iterable<number>, nrBits: number): string {
  const set = new Set(bits);
  const words: string[] = [];
  const top = Math.ceil(nrBits / 32) * 32 - 32;
  let width = nrBits % 32 || 32;
  for (let base = top; base >= 0; base -= 32) {
    let v = 0;
    for (let b = 0; b < width; b++) if (set.has(base + b)) v = (v | (1 << b)) >>> 0;
    words.push(v.toString(16).padStart(Math.ceil(width / 4), '0'));
    width = 32;
  }
  return words.join(',');
}

/** %pv: a vCPU, the idle domain's by name; NULL for none. */
export function vcpuName(v: { domid: number; vcpu: number } | null, idleCpu?: number): string {
  if (v) return `d${v.domid}v${v.vcpu}`;
  return idleCpu === undefined ? 'NULL' : `d[IDLE]v${idleCpu}`;
}

export const hex = (n: number | bigint, width: number): string => n.toString(16).padStart(width, '0');
export const right = (v: number | string, width: number): string => String(v).padStart(width);
