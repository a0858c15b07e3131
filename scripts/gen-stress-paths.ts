/**
 * Generates synthetic stress paths for the backtester (hourly `timestamp,price[,low]` CSVs), seeded, so that the
 * protection is not tuned to the historical paths alone:
 *
 *   npm run backtest:stress-paths -- [--out data/stress] [--seed 10]
 *
 * Each path is a jump-diffusion (log-normal diffusion, ~0.8 % hourly volatility, plus Poisson jumps) with a crash
 * written into it: several -10 % to -25 % hours in a row, gaps in the rows (no oracle update for more than a
 * heartbeat: the realistic replay treats a gap as an oracle outage, see scripts/lib/backtest/oracle.ts), hourly
 * lows far below the closes. The same seed always writes the same files.
 *
 * Into <out>/depeg/ it also writes depeg paths of the wstETH/ETH rate for the loop (`npm run backtest -- <csv>
 * --preset wsteth-loop`): a discount profile (piecewise linear in hours, from 1.15 ETH per wstETH) plus small
 * mean-reverting noise; the June 2022 stETH/ETH discount (about -6.5 % over weeks, then recovery), a sharp -10 %,
 * a staircase of -3 % steps.
 *
 * Into <out>/rally/ it writes the same stress paths mirrored (price -> 2000^2 / price: each crash a rally of the same
 * log size, lows dropped), the adverse moves of the short (`--preset eth-short-2x`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

/** mulberry32: small, fast, seedable; good enough for test paths. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box-Muller. */
const gaussian = (u: () => number) => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());

interface Row {
  timestamp: number;
  price: number;
  low?: number;
}

interface Spec {
  name: string;
  description: string;
  hours: number;
  /** Hourly log-volatility of the diffusion. */
  vol: number;
  /** Poisson jumps per hour and their mean log size (negative) and spread. */
  jumpRate: number;
  jumpMean: number;
  jumpSd: number;
  /** Crash hours: index of the first, and how many in a row, each -10 %..-25 %. */
  crashAt?: number;
  crashHours?: number;
  /** Rows left out (oracle outages): [first missing hour, how many]. */
  gaps?: [number, number][];
  /** Hourly drift of the log price outside the crash (e.g. a slow bleed). */
  drift?: number;
  /** Write a `low` column: each hour's low below min(open, close) by a draw, deep in crash hours. */
  lows?: boolean;
}

const START = Date.UTC(2030, 0, 1) / 1000;
const HOUR = 3600;

function generate(spec: Spec, seed: number): Row[] {
  const u = rng(seed);
  let logp = Math.log(2000);
  const rows: Row[] = [{ timestamp: START, price: 2000 }];
  const crashEnd = (spec.crashAt ?? -1) + (spec.crashHours ?? 0);
  for (let h = 1; h <= spec.hours; h++) {
    const open = Math.exp(logp);
    const inCrash = spec.crashAt !== undefined && h >= spec.crashAt && h < crashEnd;
    let r: number;
    if (inCrash) {
      r = Math.log(1 - (0.1 + 0.15 * u())); // -10 % .. -25 %
    } else {
      r = (spec.drift ?? 0) + spec.vol * gaussian(u);
      if (u() < spec.jumpRate) r += spec.jumpMean + spec.jumpSd * gaussian(u);
      // A dead-cat bounce right after the crash.
      if (h === crashEnd) r += 0.06;
    }
    logp += r;
    const close = Math.exp(logp);
    const row: Row = { timestamp: START + h * HOUR, price: round(close) };
    if (spec.lows) {
      const wick = inCrash ? 0.03 + 0.07 * u() : Math.abs(spec.vol * gaussian(u)) * 0.8;
      row.low = round(Math.min(open, close) * (1 - wick));
    }
    rows.push(row);
  }
  const missing = new Set<number>();
  for (const [first, count] of spec.gaps ?? []) for (let k = 0; k < count; k++) missing.add(first + k);
  return rows.filter((_, h) => !missing.has(h));
}

const round = (x: number) => Number(x.toFixed(2));

const SPECS: Spec[] = [
  {
    name: "stress_01_cascade_4h",
    description: "diffusion, then four hours in a row of -10 % to -25 % (about -55 %), a bounce, diffusion",
    hours: 240, vol: 0.008, jumpRate: 0.01, jumpMean: -0.03, jumpSd: 0.02, crashAt: 96, crashHours: 4,
  },
  {
    name: "stress_02_cascade_6h_jumpy",
    description: "frequent downward jumps (5 % of hours, mean -4 %), then six crash hours in a row",
    hours: 240, vol: 0.01, jumpRate: 0.05, jumpMean: -0.04, jumpSd: 0.03, crashAt: 120, crashHours: 6,
  },
  {
    name: "stress_03_outage_then_gap_down",
    description: "two oracle outages of 2 h and 3 h (rows missing: no feed update for more than a heartbeat) during which the price gaps down, each inside a 2-hour crash",
    hours: 240, vol: 0.008, jumpRate: 0.01, jumpMean: -0.03, jumpSd: 0.02, crashAt: 100, crashHours: 2,
    gaps: [[100, 2], [170, 3]], drift: -0.0005,
  },
  {
    name: "stress_04_cascade_with_wicks",
    description: "three crash hours in a row with lows 3-10 % below the close (`low` column), wicks in calm hours too",
    hours: 240, vol: 0.008, jumpRate: 0.02, jumpMean: -0.03, jumpSd: 0.02, crashAt: 80, crashHours: 3, lows: true,
  },
  {
    name: "stress_05_bleed_outage_crash",
    description: "a slow bleed under the feed's deviation threshold (heartbeat updates only), a 2 h outage, then five crash hours",
    hours: 240, vol: 0.002, jumpRate: 0, jumpMean: 0, jumpSd: 0, drift: -0.0015, crashAt: 150, crashHours: 5,
    gaps: [[148, 2]],
  },
  // Oracle outages of several lengths with the fall inside them (issue 19): the feed is silent from the row before
  // the gap to the row after it, the pools follow the market, the first answer after the outage is the whole fall.
  {
    name: "stress_06_outage_2h_fall",
    description: "a 2 h oracle outage (one row missing) whose hidden hour is a -10 % to -25 % crash hour",
    hours: 240, vol: 0.008, jumpRate: 0.01, jumpMean: -0.03, jumpSd: 0.02, crashAt: 110, crashHours: 1,
    gaps: [[110, 1]],
  },
  {
    name: "stress_07_outage_6h_slide",
    description: "a 6 h oracle outage (five rows missing) during which three crash hours take the price down 30-55 %",
    hours: 240, vol: 0.008, jumpRate: 0.01, jumpMean: -0.03, jumpSd: 0.02, crashAt: 121, crashHours: 3,
    gaps: [[120, 5]],
  },
  {
    name: "stress_08_outage_12h_crash",
    description: "a 12 h oracle outage (eleven rows missing) with four crash hours inside it and the bounce before it ends",
    hours: 240, vol: 0.008, jumpRate: 0.01, jumpMean: -0.03, jumpSd: 0.02, crashAt: 134, crashHours: 4,
    gaps: [[131, 11]],
  },
];

interface DepegSpec {
  name: string;
  description: string;
  hours: number;
  /** The discount to the start rate at given hours (negative), linear in between: [hour, discount]. */
  knots: [number, number][];
  /** Hourly noise of the rate (fraction), mean-reverting. */
  noise: number;
}

/** The wstETH/ETH rate the local market starts at (DEFAULT_PRICES.wstethRatio). */
const WSTETH_START = 1.15;

const DEPEG_SPECS: DepegSpec[] = [
  {
    name: "depeg_01_june2022_6pct_weeks",
    description: "as June 2022's stETH/ETH: a slide to -6.5 % over three weeks (steepest in its last days), a week near the bottom, two weeks of recovery to -0.5 %",
    hours: 1008, noise: 0.0008,
    knots: [[0, 0], [48, 0], [250, -0.02], [400, -0.035], [460, -0.065], [540, -0.055], [620, -0.062], [800, -0.025], [1008, -0.005]],
  },
  {
    name: "depeg_02_sharp_10pct",
    description: "a sharp -10 % in three hours, a day at the bottom, five days of recovery to -1 %",
    hours: 240, noise: 0.0005,
    knots: [[0, 0], [24, 0], [27, -0.1], [51, -0.095], [171, -0.01], [240, -0.01]],
  },
  {
    name: "depeg_03_staircase_3x3pct",
    description: "three -3 % steps of an hour each, a day apart (-9 %), then a week of recovery to -2 %",
    hours: 300, noise: 0.0005,
    knots: [[0, 0], [24, 0], [25, -0.03], [48, -0.03], [49, -0.06], [72, -0.06], [73, -0.09], [96, -0.09], [264, -0.02], [300, -0.02]],
  },
];

function generateDepeg(spec: DepegSpec, seed: number): Row[] {
  const u = rng(seed);
  const discount = (h: number) => {
    const k = spec.knots.findIndex(([t]) => t >= h);
    if (k <= 0) return spec.knots[Math.max(0, k)][1];
    const [[t0, d0], [t1, d1]] = [spec.knots[k - 1], spec.knots[k]];
    return d0 + ((d1 - d0) * (h - t0)) / (t1 - t0);
  };
  let noise = 0;
  const rows: Row[] = [];
  for (let h = 0; h <= spec.hours; h++) {
    noise = h === 0 ? 0 : 0.7 * noise + spec.noise * gaussian(u);
    // The rate never goes above the start: a discount, not a premium.
    rows.push({ timestamp: START + h * HOUR, price: Number((WSTETH_START * Math.min(1, 1 + discount(h) + noise)).toFixed(6)) });
  }
  return rows;
}

function writeDepegPaths(out: string, seed: number) {
  mkdirSync(out, { recursive: true });
  const readme = [
    "# wstETH/ETH depeg paths",
    "",
    `Written by \`npm run backtest:stress-paths -- --seed ${seed}\` (scripts/gen-stress-paths.ts); the same seed writes the same files.`,
    `Hourly rows from 2030-01-01 of the wstETH/ETH rate (ETH per wstETH), starting at ${WSTETH_START}: for the loop,`,
    "`npm run backtest:all -- data/stress/depeg --preset wsteth-loop`. A discount profile plus small mean-reverting noise.",
    "",
    "| file | rows | min rate | max discount | what |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  DEPEG_SPECS.forEach((spec, i) => {
    const rows = generateDepeg(spec, seed * 1000 + 500 + i);
    writeFileSync(path.join(out, `${spec.name}.csv`), ["timestamp,price", ...rows.map((r) => `${r.timestamp},${r.price}`)].join("\n") + "\n");
    const min = Math.min(...rows.map((r) => r.price));
    const depth = (1 - min / WSTETH_START) * 100;
    readme.push(`| \`${spec.name}.csv\` | ${rows.length} | ${min.toFixed(4)} | ${depth.toFixed(1)} % | ${spec.description} |`);
    console.log(`depeg/${spec.name}.csv: ${rows.length} rows, min ${min.toFixed(4)}, max discount ${depth.toFixed(1)} %`);
  });
  writeFileSync(path.join(out, "README.md"), readme.join("\n") + "\n");
}

function main() {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { out: { type: "string" }, seed: { type: "string" } } });
  const base = process.env.INIT_CWD ?? process.cwd();
  const out = path.resolve(base, values.out ?? path.join("data", "stress"));
  const seed = Number(values.seed ?? 10);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got '${values.seed}'`);
  mkdirSync(out, { recursive: true });
  const readme = [
    "# Synthetic stress paths",
    "",
    `Written by \`npm run backtest:stress-paths -- --seed ${seed}\` (scripts/gen-stress-paths.ts); the same seed writes the same files.`,
    "Hourly rows from 2030-01-01, starting at $2,000. Jump-diffusion (log-normal, Poisson jumps) with a crash written in.",
    "A gap in the rows is an oracle outage in the realistic replay (no feed update until the row after it).",
    "",
    "| file | rows | min close | max drawdown of closes | what |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  SPECS.forEach((spec, i) => {
    const rows = generate(spec, seed * 1000 + i);
    const header = spec.lows ? "timestamp,price,low" : "timestamp,price";
    const lines = rows.map((r) => (spec.lows ? `${r.timestamp},${r.price},${r.low ?? ""}` : `${r.timestamp},${r.price}`));
    writeFileSync(path.join(out, `${spec.name}.csv`), [header, ...lines].join("\n") + "\n");
    let peak = 0;
    let dd = 0;
    for (const r of rows) {
      peak = Math.max(peak, r.price);
      dd = Math.max(dd, 1 - r.price / peak);
    }
    const min = Math.min(...rows.map((r) => r.price));
    readme.push(`| \`${spec.name}.csv\` | ${rows.length} | ${min.toFixed(2)} | ${(dd * 100).toFixed(1)} % | ${spec.description} |`);
    console.log(`${spec.name}.csv: ${rows.length} rows, min ${min.toFixed(2)}, max drawdown ${(dd * 100).toFixed(1)} %`);
  });
  writeFileSync(path.join(out, "README.md"), readme.join("\n") + "\n");
  writeRallyPaths(path.join(out, "rally"), seed);
  writeDepegPaths(path.join(out, "depeg"), seed);
}

/** The stress paths mirrored around the start price: a fall by a factor f becomes a rise by f (the short's crash). */
function writeRallyPaths(out: string, seed: number) {
  mkdirSync(out, { recursive: true });
  const readme = [
    "# Rally stress paths (the short's adverse moves)",
    "",
    `Written by \`npm run backtest:stress-paths -- --seed ${seed}\` (scripts/gen-stress-paths.ts): the stress paths of the folder above`,
    "mirrored around $2,000 (price -> 2000^2 / price), so each crash hour is a rally hour of the same log size; the `low`",
    "column is dropped (mirrored it would be an intra-hour high). For `npm run backtest:all -- data/stress/rally --preset eth-short-2x`.",
    "",
  ];
  SPECS.forEach((spec, i) => {
    const rows = generate(spec, seed * 1000 + i).map((r) => ({ timestamp: r.timestamp, price: round((2000 * 2000) / r.price) }));
    const name = spec.name.replace(/^stress_/, "rally_");
    writeFileSync(path.join(out, `${name}.csv`), ["timestamp,price", ...rows.map((r) => `${r.timestamp},${r.price}`)].join("\n") + "\n");
    readme.push(`- \`${name}.csv\`: ${rows.length} rows, max ${Math.max(...rows.map((r) => r.price)).toFixed(2)}; mirrors ${spec.name}`);
  });
  writeFileSync(path.join(out, "README.md"), readme.join("\n") + "\n");
}

main();
