/**
 * `npm run fuzz -- --runs N --seed S [--commands C] [--path P] [--no-shrink] [--verbose] [--report file.json]`:
 * a longer stateful fuzzing campaign (test/adversarial) on the in-process real-bytecode market. Prints the seed and,
 * on failure, the shrunk counter-example and its replay command; exits 1 on failure.
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
if (opt("path")) env.FUZZ_PATH = opt("path");
if (opt("report")) env.FUZZ_REPORT = opt("report");
if (flag("no-shrink")) env.FUZZ_SHRINK = "0";
if (flag("verbose")) env.FUZZ_VERBOSE = "1";
console.log(`fuzz: ${env.FUZZ_RUNS} runs of ${env.FUZZ_COMMANDS ?? 50} commands, seed ${env.FUZZ_SEED}${env.FUZZ_PATH ? `, path ${env.FUZZ_PATH}` : ""}`);
const result = spawnSync("npx", ["hardhat", "test", "test/adversarial/stateful.test.ts"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
