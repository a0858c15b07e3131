/**
 * `npm run fuzz -- --runs N --seed S [--preset NAME] [--venue aave|morpho] [--commands C] [--outage-runs M] [--path P]
 * [--no-shrink] [--verbose] [--report file.json]`: a longer stateful fuzzing campaign (test/adversarial) on the
 * in-process real-bytecode market. Without --preset / --venue every kind (each preset on each venue it runs on) gets
 * the full campaign; with them only the kinds named. Prints the seed and, on failure, the shrunk counter-example and
 * its replay command; exits 1 on failure.
 */
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const flag = (name: string) => args.includes(`--${name}`);
const env: NodeJS.ProcessEnv = { ...process.env };
env.FUZZ_RUNS = opt("runs") ?? "100";
env.FUZZ_SEED = opt("seed") ?? String(Date.now() % 2 ** 31);
if (opt("commands")) env.FUZZ_COMMANDS = opt("commands");
if (opt("outage-runs")) env.FUZZ_OUTAGE_RUNS = opt("outage-runs");
if (opt("path")) env.FUZZ_PATH = opt("path");
if (opt("report")) env.FUZZ_REPORT = opt("report");
if (opt("preset")) env.FUZZ_PRESET = opt("preset");
if (opt("venue")) env.FUZZ_VENUE = opt("venue");
// No kind named: every kind runs the full campaign (not only the 3x WETH/USDC long on Aave, as `npm test` does).
if (!opt("preset") && !opt("venue")) env.FUZZ_ALL = "1";
if (flag("no-shrink")) env.FUZZ_SHRINK = "0";
if (flag("verbose")) env.FUZZ_VERBOSE = "1";
const kinds = [opt("preset") ?? "every preset", opt("venue") ? `on ${opt("venue")}` : "on every venue"].join(" ");
console.log(
  `fuzz: ${kinds}: ${env.FUZZ_RUNS} runs of ${env.FUZZ_COMMANDS ?? 50} commands, seed ${env.FUZZ_SEED}${env.FUZZ_PATH ? `, path ${env.FUZZ_PATH}` : ""}`,
);
const result = spawnSync("npx", ["hardhat", "test", "test/adversarial/stateful.test.ts"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
