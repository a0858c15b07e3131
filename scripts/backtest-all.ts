/**
 * Replays every CSV of a folder (not its subfolders) with the same backtest options and writes one summary:
 *
 *   npm run backtest:all -- <folder> [--out dir] [--jobs n] [backtest options]
 *
 *   <out>/<csv name>/backtest.json, series.csv, chart.svg   each path's outputs (as `npm run backtest`)
 *   <out>/summary.json                                       {"paths": {"<csv name without .csv>": <its backtest.json>}}
 *   <out>/summary.md                                         per path and position: liquidations, min HF, max drawdown,
 *                                                            final equity, keeper actions and gas, failed keeper calls
 *   reports/backtest/presets/<preset>.{md,json}              with --preset: the preset's results table, this folder's rows
 *                                                            added or replaced (./lib/backtest/preset-results.ts)
 *
 * Each path runs in its own `npm run backtest` process (a fresh in-process chain), `--jobs` at a time (default 1;
 * the machines here have 2 cores). A path that fails is reported and the others still run; the exit code is then 1.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BACKTEST_OPTIONS, OPTIONS_HELP, UsageError, backtestOptionsFrom, duration, parseBacktestArgv } from "./lib/backtest/cli";
import { summaryMarkdown, type Summary } from "./lib/backtest/summary";
import { PRESET_RESULTS_DIR, writePresetResults } from "./lib/backtest/preset-results";

const HELP = `Usage: npm run backtest:all -- <folder> [options]

  --out <dir>                 output folder (default reports/backtest-all-<folder name>-<model>)
  --jobs <n>                  paths replayed at once, each in its own process (default 1)
  --title <text>              heading of summary.md
  --results-dir <dir>         with --preset: where <preset>.md and .json go (default reports/backtest/presets)
${OPTIONS_HELP}`;

interface Args {
  folder: string;
  out: string;
  jobs: number;
  title?: string;
  quiet: boolean;
  /** With --preset: the preset's results table is updated (./lib/backtest/preset-results.ts). */
  preset?: { name: string; venue: string; dir: string };
  /** The backtest options, passed on to each path's process as given. */
  forward: string[];
}

function parseCli(argv: string[]): Args | null {
  const extra = { jobs: { type: "string" }, title: { type: "string" }, "results-dir": { type: "string" } } as const;
  const { values, positionals } = parseBacktestArgv(argv, extra);
  if (values.help) return null;
  if (positionals.length !== 1) throw new UsageError(`expected one folder, got ${positionals.length} (see --help)`);
  // Checked here once, so that a bad option does not fail every path.
  const { options, quiet } = backtestOptionsFrom(values);
  const jobs = Number(values.jobs ?? 1);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a whole number >= 1, got '${values.jobs}'`);
  const base = process.env.INIT_CWD ?? process.cwd();
  const folder = path.resolve(base, positionals[0]);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`not a folder: ${folder}`);
  const model = options.model ?? "realistic";
  const kind = values.preset ? `-${values.preset}${values.venue ? `-${values.venue}` : ""}` : "";
  const out = path.resolve(base, (values.out as string | undefined) ?? path.join("reports", `backtest-all-${path.basename(folder)}${kind}-${model}`));
  // Everything but our own options goes to each path's process.
  const forward: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.replace(/^--/, "").split("=")[0];
    if (!arg.startsWith("-")) continue;
    if (arg === "-h") continue;
    if (["out", "jobs", "title", "results-dir"].includes(name)) {
      if (!arg.includes("=")) i++;
      continue;
    }
    forward.push(arg);
    const spec = (BACKTEST_OPTIONS as Record<string, { type: string }>)[name];
    if (spec?.type === "string" && !arg.includes("=")) forward.push(argv[++i]);
  }
  const preset = values.preset
    ? { name: values.preset as string, venue: (values.venue as string | undefined) ?? "aave", dir: values["results-dir"] ? path.resolve(base, values["results-dir"] as string) : PRESET_RESULTS_DIR }
    : undefined;
  return { folder, out, jobs, title: values.title as string | undefined, quiet, forward, preset };
}

/** Runs one path's backtest in its own process; resolves with its exit code and the last lines of its output. */
function runOne(csv: string, outDir: string, forward: string[], log: (line: string) => void) {
  return new Promise<{ code: number; tail: string }>((resolve) => {
    const cli = path.join(__dirname, "backtest-cli.ts");
    const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", cli, csv, "--out", outDir, ...forward], {
      cwd: path.join(__dirname, ".."),
      env: { ...process.env, INIT_CWD: path.join(__dirname, "..") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const name = path.basename(csv, ".csv");
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split("\n")) if (line.trim().startsWith("row ")) log(`  ${name}: ${line.trim()}`);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => resolve({ code: code ?? 1, tail: output.trim().split("\n").slice(-8).join("\n") }));
  });
}

async function main() {
  const started = performance.now();
  const args = parseCli(process.argv.slice(2));
  if (!args) return console.log(HELP);
  const csvs = readdirSync(args.folder)
    .filter((f) => f.toLowerCase().endsWith(".csv"))
    .sort()
    .map((f) => path.join(args.folder, f));
  if (csvs.length === 0) throw new UsageError(`no .csv files in ${args.folder}`);
  // Every path is read before any chain work: a malformed CSV stops the run at once.
  const { readPricePath } = await import("./lib/backtest/prices");
  for (const csv of csvs) readPricePath(csv);
  mkdirSync(args.out, { recursive: true });
  const log = (line: string) => args.quiet || console.error(line);
  log(`backtest:all: ${csvs.length} paths from ${args.folder}, ${args.jobs} at a time, into ${args.out}`);

  const failed: { name: string; tail: string }[] = [];
  const queue = [...csvs];
  const worker = async () => {
    for (let csv = queue.shift(); csv; csv = queue.shift()) {
      const name = path.basename(csv).replace(/\.csv$/i, "");
      const t = performance.now();
      const { code, tail } = await runOne(csv, path.join(args.out, name), args.forward, log);
      const seconds = (performance.now() - t) / 1000;
      if (code !== 0) failed.push({ name, tail });
      log(`${code === 0 ? "done" : "FAILED"} ${name} in ${duration(seconds)} (${csvs.length - queue.length}/${csvs.length} started)`);
      if (code === 0) console.log(tail.split("\n").slice(0, -1).join("\n"));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, csvs.length) }, worker));

  const summary: Summary = { paths: {} };
  for (const csv of csvs) {
    const name = path.basename(csv).replace(/\.csv$/i, "");
    if (failed.some((f) => f.name === name)) continue;
    summary.paths[name] = JSON.parse(readFileSync(path.join(args.out, name, "backtest.json"), "utf8"));
  }
  const first = Object.values(summary.paths)[0];
  const kind = args.preset ? `${args.preset.name}${args.preset.venue === "aave" ? "" : ` on ${args.preset.venue}`}, ` : "";
  const heading = args.title ?? `Backtest of ${path.basename(args.folder)}/ (${kind}${first?.options.model ?? "?"} model, ${first?.options.leverage ?? "?"}x)`;
  writeFileSync(path.join(args.out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  let markdown = summaryMarkdown(summary, heading);
  if (failed.length) markdown += `\nFailed paths: ${failed.map((f) => f.name).join(", ")}.\n`;
  writeFileSync(path.join(args.out, "summary.md"), markdown);
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nwrote ${path.join(args.out, "summary.json")} and summary.md (${csvs.length - failed.length} paths) in ${duration(seconds)}`);
  if (args.preset) {
    const files = writePresetResults(args.preset.dir, args.preset.name, args.preset.venue, {
      folder: path.basename(args.folder), model: first?.options.model ?? "realistic", seconds, failed: failed.map((f) => f.name), summary,
    });
    console.log(`wrote ${files.md} and ${path.basename(files.json)}`);
  }
  for (const f of failed) console.error(`FAILED ${f.name}:\n${f.tail}`);
  if (failed.length) process.exitCode = 1;
}

main().catch((error) => {
  if (error instanceof UsageError) console.error(`backtest:all: ${error.message}`);
  else console.error(error instanceof Error && !process.env.DEBUG ? error.message : error);
  process.exitCode = 1;
});
