/**
 * The peer comparison and the rows-vs-realistic table, generated from the `summary.json` files `npm run backtest:all`
 * wrote (never typed): writes reports/backtest/PEERS.md and the block between `<!-- peers:begin -->` and
 * `<!-- peers:end -->` in README.md.
 *
 *   npm run backtest:peers-report [-- --dir reports/backtest] [--no-readme] [--prefix candidate --title "..."]
 *
 * With --prefix P it reads <dir>/P-<model>-<folder>/ instead and writes PEERS-P.md (never the README): the same tables
 * for a variant of the settings.
 *
 * Reads <dir>/<model>-<folder>/summary.json for model realistic|rows and folder data|wicks|stress (missing ones are
 * listed as not run), and each path's series.csv next to it to explain the managed vault's liquidations.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { BacktestReport } from "./lib/backtest/report";
import type { VaultMetrics } from "./lib/backtest/metrics";
import { CRASH_DRAWDOWN_PCT, peersOf, type Summary } from "./lib/backtest/summary";
import { PEER_LABELS, PEER_NAMES, type PeerName } from "./lib/backtest/peers";

const FOLDERS = ["data", "wicks", "stress"] as const;
const MODELS = ["realistic", "rows"] as const;
type Folder = (typeof FOLDERS)[number];
type Model = (typeof MODELS)[number];

const money = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;
const pct = (x: number, d = 1) => x.toFixed(d);
const gas = (x: number) => (x / 1e6).toFixed(1) + "M";

let PREFIX = "";

function load(dir: string, model: Model, folder: Folder): Summary | undefined {
  const file = path.join(dir, `${PREFIX}${model}-${folder}`, "summary.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Summary) : undefined;
}

/** Sum of the paths' own run times (each path runs in its own process, one after the other). */
const minutes = (s: Summary) => {
  const sec = Object.values(s.paths).reduce((a, r) => a + r.runtime.totalSeconds, 0);
  return `${Math.floor(sec / 60)} m ${String(Math.round(sec % 60)).padStart(2, "0")} s`;
};

const peerOf = (r: BacktestReport, p: PeerName): VaultMetrics | undefined => peersOf(r).find(([n]) => n === p)?.[1];
const isCrash = (r: BacktestReport) => r.input.maxDrawdownPct >= CRASH_DRAWDOWN_PCT;

interface FolderGoals {
  paths: number;
  crashPaths: number;
  managedLiq: number;
  managedLiqPaths: number;
  peer: Record<PeerName, {
    liq: number; liqPaths: number; ddNotBeaten: string[]; equitySum: number; equityWins: number; gas: number; failures: number;
  }>;
  managedEquity: number;
  managedGas: number;
}

function goals(s: Summary): FolderGoals {
  const names = Object.keys(s.paths);
  const reports = names.map((n) => s.paths[n]);
  const peer = {} as FolderGoals["peer"];
  for (const p of PEER_NAMES) {
    const rows = names.map((n) => ({ n, r: s.paths[n], m: peerOf(s.paths[n], p) })).filter((x) => x.m);
    peer[p] = {
      liq: rows.reduce((a, x) => a + x.m!.liquidations, 0),
      liqPaths: rows.filter((x) => x.m!.liquidations > 0).length,
      ddNotBeaten: rows.filter((x) => isCrash(x.r) && x.r.managed.maxDrawdownPct > x.m!.maxDrawdownPct).map((x) => x.n),
      equitySum: rows.reduce((a, x) => a + x.m!.finalEquity, 0),
      equityWins: rows.filter((x) => x.r.managed.finalEquity >= x.m!.finalEquity).length,
      gas: rows.reduce((a, x) => a + x.m!.keeperGas, 0),
      failures: rows.reduce((a, x) => a + x.m!.keeperFailures, 0),
    };
  }
  return {
    paths: names.length,
    crashPaths: reports.filter(isCrash).length,
    managedLiq: reports.reduce((a, r) => a + r.managed.liquidations, 0),
    managedLiqPaths: reports.filter((r) => r.managed.liquidations > 0).length,
    peer,
    managedEquity: reports.reduce((a, r) => a + r.managed.finalEquity, 0),
    managedGas: reports.reduce((a, r) => a + r.managed.keeperGas, 0),
  };
}

/** The headline table: one line per folder (realistic model). */
function verdictTable(summaries: Partial<Record<Folder, Summary>>, model: Model): string[] {
  const lines = [
    `| folder (${model}) | liquidations managed / fli / dfs (paths) | crash paths: managed max DD <= fli / dfs | final equity summed managed / fli / dfs | paths managed final >= fli / dfs | keeper gas summed managed / fli / dfs | run time (sum of paths) |`,
    "| --- | --- | --- | --- | --- | --- | ---: |",
  ];
  for (const folder of FOLDERS) {
    const s = summaries[folder];
    if (!s) {
      lines.push(`| ${folder} | not run | | | | | |`);
      continue;
    }
    const g = goals(s);
    const [f, d] = [g.peer.fli, g.peer.dfs];
    lines.push(
      `| ${folder} (${g.paths}) | **${g.managedLiq}** (${g.managedLiqPaths}) / ${f.liq} (${f.liqPaths}) / ${d.liq} (${d.liqPaths}) | ` +
        `${g.crashPaths - f.ddNotBeaten.length} / ${g.crashPaths - d.ddNotBeaten.length} of ${g.crashPaths} | ` +
        `${money(g.managedEquity)} / ${money(f.equitySum)} / ${money(d.equitySum)} | ` +
        `${f.equityWins} / ${d.equityWins} of ${g.paths} | ${gas(g.managedGas)} / ${gas(f.gas)} / ${gas(d.gas)} | ${minutes(s)} |`,
    );
  }
  return lines;
}

/** Where a peer does better than the managed vault on a path, in words. */
function peerWins(r: BacktestReport): string {
  const out: string[] = [];
  for (const [p, m] of peersOf(r)) {
    const bits: string[] = [];
    if (isCrash(r) && m.maxDrawdownPct < r.managed.maxDrawdownPct) bits.push(`DD ${pct(r.managed.maxDrawdownPct - m.maxDrawdownPct)} pts lower`);
    if (m.finalEquity > r.managed.finalEquity) bits.push(`final +${pct((m.finalEquity / r.managed.finalEquity - 1) * 100)} %`);
    if (m.liquidations < r.managed.liquidations) bits.push(`${r.managed.liquidations - m.liquidations} fewer liquidations`);
    if (bits.length) out.push(`${p}: ${bits.join(", ")}`);
  }
  return out.length ? out.join("; ") : "-";
}

function perPathTable(s: Summary): string[] {
  const lines = [
    "| path | crash | liquidations m / fli / dfs | max DD % m / fli / dfs | final equity m / fli / dfs | gas m / fli / dfs | a peer does better |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const [name, r] of Object.entries(s.paths)) {
    const cols = [r.managed, peerOf(r, "fli"), peerOf(r, "dfs")];
    const cell = (f: (m: VaultMetrics) => string) => cols.map((m) => (m ? f(m) : "-")).join(" / ");
    lines.push(
      `| ${name} | ${isCrash(r) ? "yes" : "no"} | ${cell((m) => String(m.liquidations))} | ${cell((m) => pct(m.maxDrawdownPct))} | ` +
        `${cell((m) => money(m.finalEquity))} | ${cell((m) => gas(m.keeperGas))} | ${peerWins(r)} |`,
    );
  }
  return lines;
}

interface SeriesRow {
  timestamp: number;
  price: number;
  leverage: number;
  hf: number;
}

function readSeries(dir: string, model: Model, folder: Folder, name: string): SeriesRow[] | undefined {
  const file = path.join(dir, `${PREFIX}${model}-${folder}`, name, "series.csv");
  if (!existsSync(file)) return undefined;
  const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const cols = header.split(",");
  const at = (c: string) => cols.indexOf(c);
  return lines.map((l) => {
    const v = l.split(",");
    return { timestamp: Number(v[at("timestamp")]), price: Number(v[at("price")]), leverage: Number(v[at("managed_leverage")]), hf: Number(v[at("managed_hf")]) };
  });
}

/** Each managed liquidation: the row's price move and where the vault stood at the end of the row before. */
function explainLiquidations(dir: string, model: Model, folder: Folder, name: string, r: BacktestReport): string {
  const liqs = r.events.liquidations.filter((l) => l.position === "managed");
  if (liqs.length === 0) return "none";
  const series = readSeries(dir, model, folder, name);
  const rows = [...new Set(liqs.map((l) => l.row))];
  return rows
    .map((row) => {
      const first = liqs.find((l) => l.row === row)!;
      const n = liqs.filter((l) => l.row === row).length;
      const date = new Date(first.timestamp * 1000).toISOString().slice(0, 16).replace("T", " ");
      if (!series || !series[row - 1]) return `row ${row} (${date}): ${n} call(s), HF ${first.healthFactorBefore.toFixed(3)} before`;
      const prev = series[row - 1];
      const move = (series[row].price / prev.price - 1) * 100;
      return (
        `row ${row} (${date} UTC): a ${move.toFixed(1)} % row (${prev.price.toFixed(0)} -> ${series[row].price.toFixed(0)}) from ` +
        `${prev.leverage.toFixed(2)}x / HF ${prev.hf.toFixed(3)} at the end of the row before; liquidated at HF ` +
        `${first.healthFactorBefore.toFixed(3)} (${n} call(s))`
      );
    })
    .join("; ");
}

function rowsVsRealistic(dir: string, folder: Folder, real?: Summary, rows?: Summary): string[] {
  if (!real && !rows) return [`${folder}: neither model run.`];
  const names = Object.keys((real ?? rows)!.paths);
  const lines = [
    `| path | managed liquidations realistic / rows | managed max DD % realistic / rows | managed final realistic / rows | peers' liquidations rows (fli / dfs) | the rows model's managed liquidations explained |`,
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const name of names) {
    const a = real?.paths[name];
    const b = rows?.paths[name];
    const v = (f: (r: BacktestReport) => string) => `${a ? f(a) : "not run"} / ${b ? f(b) : "not run"}`;
    const peersRows = b ? PEER_NAMES.map((p) => String(peerOf(b, p)?.liquidations ?? "-")).join(" / ") : "-";
    lines.push(
      `| ${name} | ${v((r) => String(r.managed.liquidations))} | ${v((r) => pct(r.managed.maxDrawdownPct))} | ${v((r) => money(r.managed.finalEquity))} | ` +
        `${peersRows} | ${b ? explainLiquidations(dir, "rows", folder, name, b) : "-"} |`,
    );
  }
  return lines;
}

function main() {
  const { values } = parseArgs({
    options: { dir: { type: "string" }, "no-readme": { type: "boolean" }, prefix: { type: "string" }, title: { type: "string" }, note: { type: "string" } },
  });
  if (values.prefix) PREFIX = `${values.prefix}-`;
  const root = path.join(__dirname, "..");
  const dir = path.resolve(root, (values.dir as string | undefined) ?? "reports/backtest");
  const data: Record<Model, Partial<Record<Folder, Summary>>> = { realistic: {}, rows: {} };
  for (const m of MODELS) for (const f of FOLDERS) {
    const s = load(dir, m, f);
    if (s) data[m][f] = s;
  }
  const anyReport = Object.values(data.realistic)[0] ?? Object.values(data.rows)[0];
  if (!anyReport) throw new Error(`no summary.json under ${dir}/<realistic|rows>-<data|wicks|stress>/`);
  const first = Object.values(anyReport.paths)[0] as BacktestReport & { peerSettings?: { fli: Record<string, number>; dfs: Record<string, number> } };
  const ps = first.peerSettings;
  const settings = ps
    ? `FLI ${ps.fli.minLeverage}-${ps.fli.maxLeverage}x around ${ps.fli.targetLeverage}x, ripcord at ${ps.fli.incentivizedLeverage}x; ` +
      `DeFi Saver target ratio ${(ps.dfs.targetRatio * 100).toFixed(2)} %, repay below ${(ps.dfs.repayBelow * 100).toFixed(1)} % ` +
      `(~${ps.dfs.repayAtLeverage.toFixed(2)}x), boost above ${(ps.dfs.boostAbove * 100).toFixed(1)} % (~${ps.dfs.boostAtLeverage.toFixed(2)}x)`
    : "";

  const headline = [
    `Managed vault vs ${PEER_NAMES.map((p) => `**${p}** (${PEER_LABELS[p]})`).join(" and ")}, same replay and market, ` +
      `nominal ${first.options.leverage}x, ${values.prefix ? `the variant's settings (vault cooldown ${first.settings.cooldown} s, ${first.settings.sigmaMultiple} sigma)` : "default settings"}, ${first.options.depositWeth} WETH each (${settings}). ` +
      `Crash path: the price fell >= ${CRASH_DRAWDOWN_PCT} % peak to trough. Generated by \`npm run backtest:peers-report\` ` +
      "from the folders' summary.json; per path: [reports/backtest/PEERS.md](reports/backtest/PEERS.md).",
    "",
    ...verdictTable(data.realistic, "realistic"),
    "",
    ...verdictTable(data.rows, "rows"),
  ];

  const extra = values.prefix ? ` --cooldown ${first.settings.cooldown} --sigma-multiple ${first.settings.sigmaMultiple}` : "";
  const md = [
    `# ${values.title ?? "Managed vault vs the peers' own strategies, and the rows model beside the realistic one"}`,
    "",
    "Generated by `npm run backtest:peers-report` from the `summary.json` files `npm run backtest:all` wrote into",
    "`reports/backtest/<model>-<folder>/` (each folder's `summary.md` has every column). Rules and settings of the peers:",
    "[docs/PROTECTION.md](../../docs/PROTECTION.md), section 4.",
    "",
    ...(values.note ? [`**Note.** ${values.note}`, ""] : []),
    "```sh",
    ...MODELS.flatMap((m) =>
      FOLDERS.map((f) => {
        const src = { data: "../shared/data       ", wicks: "../shared/data/wicks ", stress: "data/stress          " }[f];
        return `npm run backtest:all -- ${src} --model ${m.padEnd(9)}${extra} --out reports/backtest/${PREFIX}${m}-${f}`;
      }),
    ),
    `npm run backtest:peers-report${values.prefix ? ` -- --prefix ${values.prefix}` : ""}`,
    "```",
    ...(values.prefix ? ["", `Settings that differ from the defaults: \`${extra.trim()}\`. Folders not run are listed as such.`] : []),
    "",
    "## Per folder",
    "",
    ...headline.slice(0, 1).map((l) => l.replace("[reports/backtest/PEERS.md](reports/backtest/PEERS.md)", "below")),
    ...headline.slice(1),
    "",
  ];
  for (const m of MODELS) {
    for (const f of FOLDERS) {
      const s = data[m][f];
      md.push(`## ${m} model, ${f}`, "");
      if (!s) {
        md.push("Not run.", "");
        continue;
      }
      md.push(...perPathTable(s), "");
    }
  }
  md.push("## Rows model beside the realistic one (managed vault)", "");
  for (const f of FOLDERS) {
    md.push(`### ${f}`, "", ...rowsVsRealistic(dir, f, data.realistic[f], data.rows[f]), "");
  }
  const out = path.join(dir, values.prefix ? `PEERS-${values.prefix}.md` : "PEERS.md");
  writeFileSync(out, md.join("\n"));
  console.log(`wrote ${out}`);

  if (!values["no-readme"] && !values.prefix) {
    const readme = path.join(root, "README.md");
    const text = readFileSync(readme, "utf8");
    const begin = "<!-- peers:begin (generated by npm run backtest:peers-report) -->";
    const end = "<!-- peers:end -->";
    const block = [begin, ...headline, end].join("\n");
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i >= 0 && j > i) writeFileSync(readme, text.slice(0, i) + block + text.slice(j + end.length));
    else console.log(`README.md has no ${begin} ... ${end} block: not updated`);
  }
}

main();
