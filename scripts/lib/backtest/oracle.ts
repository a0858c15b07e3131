/**
 * The realistic replay's clock: when a Chainlink-style feed would publish along a price path.
 *
 * The market price between two waypoints (CSV rows, plus a row's `low` at mid-interval when the CSV has that
 * column) moves log-linearly: previous close -> the interval's low (when known) -> close. The feed publishes a new
 * answer when the market has moved `deviationBps` from its last answer or `heartbeat` seconds after it, as Chainlink's
 * off-chain reporting does. A gap between two CSV rows longer than `outageFactor` times the path's median row
 * spacing is an oracle outage: the feed publishes nothing until the row after the gap (it goes stale once the gap
 * exceeds the heartbeat), while the DEX keeps following the market, and the first update after it is one jump.
 *
 * Pure functions, no chain access: the replay turns each step into transactions (see ./replay).
 */
import type { PricePoint } from "./prices";

export interface OraclePreset {
  /** Deviation threshold of the ETH/USD feed, bps (50 = 0.5 %). */
  deviationBps: number;
  /** Heartbeat of the ETH/USD feed, seconds. */
  heartbeat: number;
  /** Seconds per block: latencies are given in blocks. */
  blockTime: number;
}

/**
 * ETH/USD feed parameters per network, from Chainlink's data-feed directory (check the published values before
 * relying on them: they change). The vault's staleness bound for the collateral feed is set to the heartbeat.
 */
export const ORACLE_PRESETS = {
  mainnet: { deviationBps: 50, heartbeat: 3600, blockTime: 12 },
  arbitrum: { deviationBps: 5, heartbeat: 86_400, blockTime: 0.25 },
  base: { deviationBps: 15, heartbeat: 1200, blockTime: 2 },
  optimism: { deviationBps: 15, heartbeat: 1200, blockTime: 2 },
} as const satisfies Record<string, OraclePreset>;

export type OracleNetwork = keyof typeof ORACLE_PRESETS;
export const ORACLE_NETWORKS = Object.keys(ORACLE_PRESETS) as OracleNetwork[];

export interface StepOptions extends Pick<OraclePreset, "deviationBps" | "heartbeat"> {
  /** A row gap longer than this many median row spacings is an oracle outage (default 1.5). */
  outageFactor?: number;
}

/** One moment at which the chain is touched: the pools move to `price`; the feed publishes it when `feed` is set. */
export interface MarketStep {
  /** Seconds since the first row (fractional; the replay rounds up to whole seconds). */
  t: number;
  /** Market (DEX) price, USD per ETH. */
  price: number;
  /** The feed publishes `price` at this step (false: pools only, during an outage). */
  feed: boolean;
  /** Why the feed published: deviation threshold, heartbeat, or the first answer after an outage. */
  reason: "deviation" | "heartbeat" | "outage-end" | "outage";
  /** Index of the CSV row whose interval this step falls in (the first row whose timestamp >= t). */
  row: number;
}

interface Waypoint {
  t: number;
  price: number;
  row: number;
  /** The segment ending at this waypoint is an oracle outage. */
  outage: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Waypoints relative to the first row; a row's `low` becomes a waypoint half-way through its interval. */
export function waypoints(path: PricePoint[], outageFactor = 1.5): Waypoint[] {
  const t0 = path[0].timestamp;
  const gaps = path.slice(1).map((p, i) => p.timestamp - path[i].timestamp);
  const outageGap = outageFactor * median(gaps);
  const out: Waypoint[] = [{ t: 0, price: path[0].price, row: 0, outage: false }];
  for (let i = 1; i < path.length; i++) {
    const outage = gaps[i - 1] > outageGap;
    const low = path[i].low;
    if (low !== undefined && !outage && low < Math.min(path[i - 1].price, path[i].price)) {
      out.push({ t: (path[i - 1].timestamp + path[i].timestamp) / 2 - t0, price: low, row: i, outage: false });
    }
    out.push({ t: path[i].timestamp - t0, price: path[i].price, row: i, outage });
  }
  return out;
}

/**
 * Every step of the realistic replay: the feed's updates (deviation or heartbeat) along the log-linear path between
 * waypoints, and during an outage, pool-only steps at each `deviationBps` move of the market or heartbeat.
 * The first row's price is the feed's answer at t = 0 (set by the replay's setup, not a step).
 */
export function marketSteps(path: PricePoint[], opts: StepOptions): MarketStep[] {
  const dev = opts.deviationBps / 10_000;
  if (!(dev > 0 && dev < 1)) throw new Error(`oracle deviation must be in (0, 10000) bps, got ${opts.deviationBps}`);
  if (!(opts.heartbeat > 0)) throw new Error(`heartbeat must be > 0 s, got ${opts.heartbeat}`);
  const up = Math.log(1 + dev);
  const down = Math.log(1 - dev);
  const points = waypoints(path, opts.outageFactor);
  const steps: MarketStep[] = [];
  // Log of the feed's answer and its time; during an outage, of the pools' last step instead.
  let answer = Math.log(points[0].price);
  let updatedAt = 0;
  let poolRef = answer;
  let poolAt = 0;
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1];
    const b = points[k];
    const la = Math.log(a.price);
    const lb = Math.log(b.price);
    const slope = (lb - la) / (b.t - a.t);
    const at = (t: number) => la + slope * (t - a.t);
    let t = a.t;
    if (b.outage) {
      // The feed is silent; the pools follow the market in steps of the deviation (or every heartbeat when calm).
      if (poolAt < updatedAt) [poolRef, poolAt] = [answer, updatedAt];
      for (;;) {
        const target = slope > 0 ? poolRef + up : poolRef + down;
        const tDev = slope === 0 ? Infinity : a.t + (target - la) / slope;
        const tNext = Math.min(tDev > t ? tDev : Infinity, poolAt + opts.heartbeat);
        if (!(tNext < b.t)) break;
        poolRef = tNext === tDev ? target : at(tNext);
        poolAt = t = tNext;
        steps.push({ t, price: Math.exp(poolRef), feed: false, reason: "outage", row: b.row });
      }
      // The feed comes back at the row after the gap with one (possibly large) jump.
      answer = poolRef = lb;
      updatedAt = poolAt = b.t;
      steps.push({ t: b.t, price: b.price, feed: true, reason: "outage-end", row: b.row });
      continue;
    }
    for (;;) {
      const target = slope > 0 ? answer + up : answer + down;
      const tDev = slope === 0 ? Infinity : a.t + (target - la) / slope;
      const tBeat = updatedAt + opts.heartbeat;
      const tNext = Math.min(tDev > t ? tDev : Infinity, tBeat);
      if (!(tNext <= b.t)) break;
      const deviation = tNext === tDev;
      answer = deviation ? target : at(tNext);
      updatedAt = t = tNext;
      steps.push({ t, price: Math.exp(answer), feed: true, reason: deviation ? "deviation" : "heartbeat", row: b.row });
    }
  }
  return steps;
}

/** Counts of a step list, for the report. */
export function stepSummary(steps: MarketStep[]) {
  const count = (r: MarketStep["reason"]) => steps.filter((s) => s.reason === r).length;
  return {
    steps: steps.length,
    feedUpdates: steps.filter((s) => s.feed).length,
    deviationUpdates: count("deviation"),
    heartbeatUpdates: count("heartbeat"),
    outageSteps: count("outage"),
    outages: count("outage-end"),
  };
}
