/**
 * Every figure README.md quotes from a report, rendered from that report. Each block sits in README.md between
 * `<!-- docs:<name> -->` and `<!-- /docs:<name> -->`; `npm run docs` rewrites the blocks, and test/scripts/docs.test.ts
 * fails when one differs from what the reports give. Sources:
 *   sizes         reports/sizes.json            (test/sizes.test.ts, written with UPDATE_REPORTS=1)
 *   keeper-gas    reports/gas.json              (npm run bench:gas)
 *   gas-table     reports/gas.json
 *   keeper-scale  reports/keeper-scale.json     (npm run bench:keepers)
 *   backtests     reports/backtest/<folder>/summary.md  (npm run backtest:all, the tracked per-folder summaries)
 *   preset-backtests  reports/backtest/presets/*.json  (npm run backtest:all -- <folder> --preset P)
 *   test-run      reports/test-run.json         (npm run reports:test-run: a whole `npm test` without failures)
 */
import fs from "node:fs";
import path from "node:path";
import type { PresetResults } from "../backtest/preset-results";
import { PRESET_NAMES, type PresetName } from "../deploy/presets";

export const ROOT = path.join(__dirname, "..", "..", "..");
const REPORTS = path.join(ROOT, "reports");

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const k = (n: number) => `${Math.round(n / 1000)}k`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(REPORTS, file), "utf8")) as T;
}

// ---------------------------------------------------------------- sizes

/** The contracts the README names, in its order. */
const SIZE_NAMES: [string, string][] = [
  ["vault", "AaveUniswapLeverageVault"],
  ["automation module", "AaveUniswapVaultModule"],
  ["management module", "AaveUniswapManagementModule"],
  ["Morpho vault", "MorphoUniswapLeverageVault"],
  ["Morpho automation module", "MorphoUniswapVaultModule"],
  ["Morpho management module", "MorphoUniswapManagementModule"],
  ["settings module", "SettingsModule"],
  ["emergency module", "AaveUniswapEmergencyModule"],
  ["Morpho emergency module", "MorphoUniswapEmergencyModule"],
  ["Aave deployer", "AaveUniswapVaultDeployer"],
  ["Morpho deployer", "MorphoUniswapVaultDeployer"],
  ["factory", "VaultFactory"],
  ["registry", "VaultRegistry"],
  ["Aave venue mover", "AaveUniswapVenueMover"],
  ["Morpho venue mover", "MorphoUniswapVenueMover"],
  ["vault proxy", "VaultProxy"],
];

export function renderSizes(): string {
  const sizes = readJson<{ limit: number; bytes: Record<string, number> }>("sizes.json");
  const parts = SIZE_NAMES.map(([label, name]) => `${label} ${kb(sizes.bytes[name])} (${int(sizes.bytes[name])} B)`);
  return `Runtime sizes (limit ${int(sizes.limit)} B): ${parts.join(", ")}`;
}

// ---------------------------------------------------------------- gas

/** gas: the vault's; floor: the bare protocol calls; guardedFloor: the floor plus the mission's mandated guards. */
type Operations = Record<string, { gas: number; floor: number; guardedFloor: number }>;
interface GasReport {
  /** eth-long-3x, the README's main table. */
  operations: Operations;
  /** Every preset, the same operations (Aave V3). */
  presets?: Record<string, Operations>;
  /** The presets that also run on Morpho Blue, the same operations against the Morpho floor probe. */
  morpho?: Record<string, Operations>;
}

const GAS_ROWS: [string, string][] = [
  ["deposit", "deposit (+10 WETH, levered to 3x)"],
  ["partialWithdrawal", "partial withdrawal (redeem half)"],
  ["fullWithdrawal", "full withdrawal"],
  ["keeperDeleverage", "keeper deleverage 3.5x -> 3x"],
  ["stopLossUnwind", "stop-loss unwind (one call)"],
  ["ripcord", "ripcord (incl. reward)"],
];
/** Measured for the kinds on both venues only (issue 20): from the column's venue to the other. */
const REFINANCE_ROW: [string, string] = ["refinance", "refinance to the other venue"];
const KEEPER_OPS = ["keeperDeleverage", "stopLossUnwind", "ripcord"];
const RATIO_TARGET = 1.15;

export function renderKeeperGas(): string {
  const ops = readJson<GasReport>("gas.json").operations;
  const gas = KEEPER_OPS.map((op) => ops[op].gas);
  return `${Math.round(Math.min(...gas) / 1000)}-${k(Math.max(...gas))} gas per keeper action`;
}

/** The same targets for the 3x on Morpho Blue, against MorphoGasFloorProbe (empty when not measured). */
function morphoSummary(ops: Operations | undefined): string {
  if (!ops) return "";
  const ratio = (op: string) => ops[op].gas / ops[op].floor;
  const met = GAS_ROWS.filter(([op]) => ratio(op) <= RATIO_TARGET).map(([, label]) => label.split(" (")[0]);
  const missed = GAS_ROWS.filter(([op]) => ratio(op) > RATIO_TARGET).map(([op, label]) => `${label.split(" (")[0]} (${ratio(op).toFixed(2)})`);
  const d = ops.keeperDeleverage;
  return (
    ` On Morpho Blue (the same 3x against MorphoGasFloorProbe) met: ${met.length ? met.join(", ") : "none"}; ` +
    `not met: ${missed.length ? missed.join(", ") : "none"}; keeper deleverage ${k(d.gas)} ` +
    `(${d.gas <= 500_000 ? "met" : "not met"}) against a floor of ${k(d.floor)}.`
  );
}

/** A (preset, venue) column of the gas report. */
interface GasColumn {
  venue: string;
  name: string;
  ops: Operations;
}

const short = (label: string) => label.split(" (")[0].replace(/ 3\.5x -> 3x/, "");

/**
 * What the guarded floor says of the budget, from the report: for which operations floor x RATIO_TARGET is below the
 * guarded floor (no vault doing the mandated guards can meet the ratio) on which (preset, venue) pairs, and the
 * keeper deleverage's guarded floor against 500k.
 */
export function guardedFloorSummary(columns: GasColumn[]): string {
  const rows = [...GAS_ROWS, REFINANCE_ROW];
  const unreachable = rows.flatMap(([op, label]) => {
    const measured = columns.filter((c) => c.ops[op]);
    const below = measured.filter((c) => c.ops[op].guardedFloor / c.ops[op].floor > RATIO_TARGET);
    if (!below.length) return [];
    const where = below.length === measured.length ? `all ${measured.length} pairs` : below.map((c) => `${c.name} (${c.venue})`).join(", ");
    const worst = Math.max(...below.map((c) => c.ops[op].guardedFloor / c.ops[op].floor));
    return [`${short(label)} on ${where} (guarded floor up to ${worst.toFixed(2)} x floor)`];
  });
  const reachable = rows
    .filter(([op]) => columns.some((c) => c.ops[op]) && columns.every((c) => !c.ops[op] || c.ops[op].guardedFloor / c.ops[op].floor <= RATIO_TARGET))
    .map(([, label]) => short(label));
  const deleverage = columns.map((c) => ({ c, g: c.ops.keeperDeleverage.guardedFloor }));
  const over = deleverage.filter(({ g }) => g > 500_000).map(({ c }) => `${c.name} (${c.venue})`);
  const range = (values: number[]) => `${k(Math.min(...values))}-${k(Math.max(...values))}`;
  const main = columns[0].ops.keeperDeleverage;
  return (
    `Guarded floor: the same probe, the same state, plus for real the guards the mission mandates for the operation ` +
    `(both feeds' latestRoundData with the staleness check; the variance feed's rounds where the target is computed; ` +
    `pool slot0 and observation with the deviation and same-block checks for keeper-timed trades; the keeper slot and ` +
    `the cooldown write; the position re-read after; \`contracts/test/GuardReads.sol\`). Floor x ${RATIO_TARGET} is below the ` +
    `guarded floor, so the ratio budget is out of reach of any vault doing the mandated guards, for: ` +
    `${unreachable.length ? unreachable.join("; ") : "no operation"}. ` +
    `Within reach on every pair: ${reachable.length ? reachable.join(", ") : "none"}. ` +
    `The keeper deleverage's guarded floor is ${int(main.guardedFloor)} gas on ${columns[0].name} (${columns[0].venue}) ` +
    `(${range(deleverage.map(({ g }) => g))} over the pairs) against the 500k budget: ` +
    `${over.length ? `above it on ${over.join(", ")}` : "below it on every pair"}.`
  );
}

export function renderGasTable(): string {
  const ops = readJson<GasReport>("gas.json").operations;
  const ratio = (op: string) => ops[op].gas / ops[op].floor;
  const rows = GAS_ROWS.map(
    ([op, label]) =>
      `| ${label} | ${int(ops[op].gas)} | ${int(ops[op].floor)} | ${int(ops[op].guardedFloor)} | ${ratio(op).toFixed(3)} | ` +
      `${(ops[op].gas / ops[op].guardedFloor).toFixed(3)} |`,
  );
  const met = GAS_ROWS.filter(([op]) => ratio(op) <= RATIO_TARGET).map(([, label]) => label.split(" (")[0]);
  const missed = GAS_ROWS.filter(([op]) => ratio(op) > RATIO_TARGET).map(([op, label]) => `${label.split(" (")[0]} (${ratio(op).toFixed(2)})`);
  const deleverage = ops.keeperDeleverage;
  const report = readJson<GasReport>("gas.json");
  const columns: GasColumn[] = [
    ["Aave", report.presets ?? {}],
    ["Morpho", report.morpho ?? {}],
  ].flatMap(([venue, presets]) => Object.entries(presets as Record<string, Operations>).map(([name, o]) => ({ venue: venue as string, name, ops: o })));
  const opRows = [...GAS_ROWS, ...(columns.some((c) => c.ops.refinance) ? [REFINANCE_ROW] : [])];
  /** One row per operation, one column per (preset, venue); `cell` renders an operation's figures. */
  const table = (cell: (o: Operations[string]) => string) => [
    `| operation | ${columns.map((c) => `${c.name} (${c.venue})`).join(" | ")} |`,
    `| --- | ${columns.map(() => "---:").join(" | ")} |`,
    ...opRows.map(([op, label]) => `| ${short(label)} | ${columns.map((c) => (c.ops[op] ? cell(c.ops[op]) : "-")).join(" | ")} |`),
  ];
  const perVenue = () => {
    if (!columns.length) return [];
    return [
      "",
      "The same operations for every preset on each venue ($200,000 of collateral at its target; vault gas (vault / " +
        "floor; vault / guarded floor), both floors measured on the vault's own venue):",
      "",
      ...table((o) => `${int(o.gas)} (${(o.gas / o.floor).toFixed(2)}; ${(o.gas / o.guardedFloor).toFixed(2)})`),
      "",
      `Guarded floors (the floor plus the mandated guards; guarded floor / floor):`,
      "",
      ...table((o) => `${int(o.guardedFloor)} (${(o.guardedFloor / o.floor).toFixed(2)})`),
      "",
      guardedFloorSummary(columns),
      ...(columns.some((c) => c.ops.refinance)
        ? ["", "Refinance: the whole position moved to the other venue (`acceptChange(ChangeKind.Venue)`), against `RefinanceFloorProbe` (the destination's flash loan, repay and withdraw all, supply and borrow, nothing else)."]
        : []),
    ];
  };
  const perPreset = perVenue();
  return [
    "| operation (3x, 100 WETH, Aave V3) | vault gas | floor | guarded floor | vault / floor | vault / guarded floor |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    `Targets were ratio <= ${RATIO_TARGET} and keeper deleverage <= 500k. Met: ${met.length ? met.join(", ") : "none"}; ` +
      `not met: ${missed.length ? missed.join(", ") : "none"}; keeper deleverage ${k(deleverage.gas)} ` +
      `(${deleverage.gas <= 500_000 ? "met" : "not met"}), whose protocol floor alone is ${k(deleverage.floor)}.` +
      morphoSummary(report.morpho?.["eth-long-3x"]),
    ...perPreset,
  ].join("\n");
}

// ---------------------------------------------------------------- keeper scale

export function renderKeeperScale(): string {
  const r = readJson<{
    vaults: number;
    rpcCalls: number;
    batchSize: number;
    gasPerVault: number;
    timeMs: { median: number; first: number; runs: number[] };
    cpuTimeMs: { systemFirst: number };
    naivePerVault: { rpcCalls: number; timeMs: number };
  }>("keeper-scale.json");
  return (
    `${int(r.vaults)} vaults in the registry, every trigger evaluated through \`KeeperLens\` in **${r.rpcCalls} JSON-RPC calls** ` +
    `(pages of ${r.batchSize} vaults, ${int(r.gasPerVault)} gas per vault, each call under the 16.7M per-call cap); wall time ` +
    `**${int(r.timeMs.median)} ms** median of ${r.timeMs.runs.length} scans, but **${(r.timeMs.first / 1000).toFixed(1)} s for the first scan** ` +
    `in a fresh process (${(r.cpuTimeMs.systemFirst / 1000).toFixed(1)} s of it kernel time). The naive scan (one \`trigger()\` ` +
    `per vault) takes ${int(r.naivePerVault.rpcCalls)} calls and ${(r.naivePerVault.timeMs / 1000).toFixed(1)} s`
  );
}

// ---------------------------------------------------------------- backtests

interface PathRow {
  path: string;
  managed: { liquidations: number; maxDd: number; finalEquity: number };
  unmanaged: { liquidations: number; maxDd: number; finalEquity: number };
}

/** The per-path rows of a backtest:all summary.md (managed row, then its unmanaged row). */
export function readSummary(folder: string): PathRow[] | undefined {
  const file = path.join(REPORTS, "backtest", folder, "summary.md");
  if (!fs.existsSync(file)) return undefined;
  const rows: PathRow[] = [];
  const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());
  const money = (s: string) => Number(s.replace(/[$,]/g, ""));
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("|")) continue;
    const c = cells(line);
    if (c[3] === "managed") {
      rows.push({ path: c[0], managed: { liquidations: Number(c[4]), maxDd: Number(c[6]), finalEquity: money(c[7]) }, unmanaged: { liquidations: 0, maxDd: 0, finalEquity: 0 } });
    } else if (c[3] === "unmanaged" && rows.length) {
      rows[rows.length - 1].unmanaged = { liquidations: Number(c[4]), maxDd: Number(c[6]), finalEquity: money(c[7]) };
    }
  }
  return rows;
}

const isControl = (row: PathRow) => /control/.test(row.path);
const liquidations = (rows: PathRow[], side: "managed" | "unmanaged") => {
  const hit = rows.filter((r) => r[side].liquidations > 0);
  return { total: rows.reduce((sum, r) => sum + r[side].liquidations, 0), paths: hit.length };
};

export function renderBacktests(): string {
  const lines = [
    "| folder | managed liquidations | unmanaged liquidations | managed max DD <= unmanaged on every crash path | calm control: managed / unmanaged final | 15 % trailing stop: managed max DD |",
    "| --- | ---: | ---: | --- | ---: | ---: |",
  ];
  for (const folder of ["data", "wicks", "stress"]) {
    const rows = readSummary(`realistic-${folder}`);
    if (!rows) continue;
    const managed = liquidations(rows, "managed");
    const unmanaged = liquidations(rows, "unmanaged");
    const crash = rows.filter((r) => !isControl(r));
    const ddOk = crash.every((r) => r.managed.maxDd <= r.unmanaged.maxDd);
    const control = rows.find(isControl);
    const calm = control
      ? `$${int(control.managed.finalEquity)} / $${int(control.unmanaged.finalEquity)} = ${Math.round((100 * control.managed.finalEquity) / control.unmanaged.finalEquity)} %`
      : "-";
    const trailing = readSummary(`trailing-15-${folder}`)?.filter((r) => !isControl(r));
    const trail = trailing?.length
      ? `${Math.min(...trailing.map((r) => r.managed.maxDd)).toFixed(1)}-${Math.max(...trailing.map((r) => r.managed.maxDd)).toFixed(1)} % (${liquidations(trailing, "managed").total} liquidations)`
      : "not run";
    lines.push(
      `| ${folder} (${rows.length} paths) | **${managed.total}**${managed.total ? ` on ${managed.paths} paths` : ""} | ${unmanaged.total} on ${unmanaged.paths} paths | ${ddOk ? "yes" : "no"} | ${calm} | ${trail} |`,
    );
  }
  return lines.join("\n");
}

/** Every preset's results tables (reports/backtest/presets/*.json, `npm run backtest:all -- <folder> --preset P`). */
export function renderPresetBacktests(): string {
  const dir = path.join(REPORTS, "backtest", "presets");
  // In the presets' order, Aave before Morpho.
  const rank = (f: string) => PRESET_NAMES.indexOf(f.replace(/(-morpho)?\.json$/, "") as PresetName) * 2 + (f.includes("-morpho") ? 1 : 0);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort((a, b) => rank(a) - rank(b)) : [];
  const lines = [
    "| preset | venue | paths | managed liquidations | unmanaged liquidations | managed max DD <= unmanaged | run time |",
    "| --- | --- | --- | ---: | ---: | --- | ---: |",
  ];
  for (const file of files) {
    const results = readJson<PresetResults>(path.join("backtest", "presets", file));
    for (const [key, run] of Object.entries(results.runs)) {
      const paths = Object.entries(run.paths);
      const count = (side: "managedLiquidations" | "unmanagedLiquidations") => {
        const hit = paths.filter(([, p]) => p[side] > 0).length;
        const total = paths.reduce((sum, [, p]) => sum + p[side], 0);
        return total ? `${total} on ${hit} paths` : "0";
      };
      const worse = paths.filter(([, p]) => p.managedMaxDrawdownPct > p.unmanagedMaxDrawdownPct).map(([n]) => n);
      lines.push(
        `| [${results.preset}](reports/backtest/presets/${file.replace(/\.json$/, ".md")}) | ${results.venue} | ${key}, ${paths.length} | ` +
          `**${count("managedLiquidations")}** | ${count("unmanagedLiquidations")} | ${worse.length ? `no on ${worse.length} of ${paths.length}` : "yes"} | ${int(run.seconds)} s |`,
      );
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------- test run

/** The last whole `npm test` run without failures (`npm run reports:test-run`). */
export function renderTestRun(): string {
  const run = readJson<{ passes: number; pending: number; seconds: number; commit: string }>("test-run.json");
  const duration = `${Math.floor(run.seconds / 60)} min ${run.seconds % 60} s`;
  return `\`npm test\` runs ${int(run.passes + run.pending)} tests: ${int(run.passes)} pass and ${int(run.pending)} are pending, in ${duration} on the 2 cores (commit ${run.commit})`;
}

// ---------------------------------------------------------------- README blocks

export const BLOCKS: Record<string, () => string> = {
  sizes: renderSizes,
  "keeper-gas": renderKeeperGas,
  "gas-table": renderGasTable,
  "keeper-scale": renderKeeperScale,
  backtests: renderBacktests,
  "preset-backtests": renderPresetBacktests,
  "test-run": renderTestRun,
};

const blockPattern = (name: string) => new RegExp(`(<!-- docs:${name} -->)([\\s\\S]*?)(<!-- /docs:${name} -->)`);

/** Keeps the block's own line layout: a block that starts on its own line is rendered between newlines. */
function fill(current: string, rendered: string): string {
  return current.startsWith("\n") ? `\n${rendered}\n` : rendered;
}

/** README text with every block rendered from the reports; `missing` lists blocks absent from the README. */
export function renderReadme(readme: string): { text: string; missing: string[] } {
  let text = readme;
  const missing: string[] = [];
  for (const [name, render] of Object.entries(BLOCKS)) {
    const match = blockPattern(name).exec(text);
    if (!match) {
      missing.push(name);
      continue;
    }
    text = text.replace(blockPattern(name), (_, open: string, body: string, close: string) => `${open}${fill(body, render())}${close}`);
  }
  return { text, missing };
}

/** The blocks whose README text differs from the reports: name, README text, report text. */
export function staleBlocks(readme: string): { name: string; readme: string; reports: string }[] {
  const stale = [];
  const { text } = renderReadme(readme);
  for (const name of Object.keys(BLOCKS)) {
    const before = blockPattern(name).exec(readme)?.[2];
    const after = blockPattern(name).exec(text)?.[2];
    if (before !== after) stale.push({ name, readme: before ?? "(missing)", reports: after ?? "(missing)" });
  }
  return stale;
}
