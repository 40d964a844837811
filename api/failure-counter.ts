/**
 * Failures per client address in fixed one-minute windows, for the limits that slow down guessing (API keys, portal
 * tokens). Per process: several API processes each count their own share. Expired addresses are forgotten once the
 * map holds `maxKeys`, so a scan from many addresses cannot grow it without bound.
 */
export interface FailureCount {
  count: number;
  resetAt: number;
}

/** Returns `fail(address)`: counts one failure for the address and answers its count in the current window. */
export function failureCounter(windowMs = 60_000, maxKeys = 10_000): (address: string, now?: number) => FailureCount {
  const failures = new Map<string, FailureCount>();
  return (address, now = Date.now()) => {
    let f = failures.get(address);
    if (!f || f.resetAt <= now) {
      f = { count: 0, resetAt: now + windowMs };
      failures.set(address, f);
      if (failures.size > maxKeys) for (const [k, v] of failures) if (v.resetAt <= now) failures.delete(k);
    }
    f.count += 1;
    return f;
  };
}
