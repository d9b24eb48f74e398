// Per-instance guards of the webhook intake that outlive one request: a cap on bodies being read or held
// at once (before the signature is checked anyone who knows a session id can open one, so without a cap
// slow uploads can hold memory without bound), and a cache of recent Standard Webhooks ids, so a signed
// request replayed within its timestamp window is answered without being produced again.

export interface IntakeGuards {
  /** A slot for one webhook body, or undefined when maxInFlight bodies are already held. */
  acquireBodySlot(): (() => void) | undefined;
  /**
   * Runs `produce` unless `key` was produced before and its window (`untilMs`) has not passed; a request
   * arriving while the same key is being produced waits for that one. True when `produce` ran.
   */
  produceOnce(key: string, untilMs: number, produce: () => Promise<void>): Promise<boolean>;
}

export function createIntakeGuards(options: { maxInFlight: number; maxReplayEntries: number }): IntakeGuards {
  let inFlight = 0;
  const seen = new Map<string, number>();
  const producing = new Map<string, Promise<void>>();

  const remember = (key: string, untilMs: number) => {
    seen.delete(key);
    seen.set(key, untilMs);
    // Map order is insertion order, which is close to expiry order: drop expired entries from the front,
    // and the oldest entry when full (it can then be replayed once: the consumers still dedup it).
    const now = Date.now();
    for (const [oldest, until] of seen) {
      if (until > now && seen.size <= options.maxReplayEntries) break;
      seen.delete(oldest);
    }
  };

  return {
    acquireBodySlot() {
      if (inFlight >= options.maxInFlight) return undefined;
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    async produceOnce(key, untilMs, produce) {
      for (;;) {
        const until = seen.get(key);
        if (until !== undefined && until > Date.now()) return false;
        const pending = producing.get(key);
        if (!pending) break;
        await pending.catch(() => {});
      }
      const run = produce();
      producing.set(key, run);
      try {
        await run;
        remember(key, untilMs);
        return true;
      } finally {
        producing.delete(key);
      }
    },
  };
}
