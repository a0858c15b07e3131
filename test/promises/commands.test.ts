/**
 * README.md and docs/*.md: every command line they show works as written. Each `npx hardhat <task> --flag ...` names
 * a registered task and only flags that task (or Hardhat itself) accepts; each `npm run <script>` is a script of
 * package.json, and each flag passed after `--` is one its program parses (the Hardhat task it runs, or the option
 * names in the program's source). Static: the tasks themselves run in test/scripts/*.test.ts and test/factory; the
 * README's two `vault:set-config` examples (whole `--set` lists no test ran as written) run here on a vault, and
 * `npm run demo -- --preset ... --venue ...` runs with its flags (test/scripts runs the demo through DEMO_* variables).
 */
import hre from "hardhat";
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, parseUnits } from "ethers";
import { KINDS, acceptAllPending } from "./worlds";
import { runTask } from "../shared/tasks";
import { hardhat } from "../shared/cli";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const ROOT = path.join(__dirname, "..", "..");
const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
/** Hardhat's own flags, valid on every task. */
const GLOBAL = ["network", "verbose", "config", "show-stack-traces", "max-memory", "tsconfig", "typecheck", "help"];
/** The program each npm script runs, for the flags passed after `--` (a task's script is checked as that task). */
const PROGRAMS: Record<string, string[]> = {
  demo: ["scripts/demo.ts"],
  fuzz: ["scripts/fuzz.ts"],
  mutate: ["scripts/mutate.ts"],
  "bench:gas": ["scripts/bench-gas.ts"],
  backtest: ["scripts/backtest-cli.ts", "scripts/lib/backtest/cli.ts"],
  "backtest:all": ["scripts/backtest-all.ts", "scripts/lib/backtest/cli.ts"],
  "backtest:stress-paths": ["scripts/gen-stress-paths.ts"],
};

interface Command {
  where: string;
  text: string;
  head: string;
  flags: string[];
}

/** Every command line of `tool` ("npx hardhat" or "npm run") in the docs, `\`-continued lines joined, comments cut. */
function commands(tool: string): Command[] {
  const found: Command[] = [];
  for (const file of DOCS) {
    const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const at = i + 1;
      let line = lines[i];
      while (line.trimEnd().endsWith("\\") && i + 1 < lines.length) line = `${line.trimEnd().slice(0, -1)} ${lines[++i]}`;
      for (const m of line.matchAll(new RegExp(`${tool} ([a-z:-]+)([^\`#|)]*)`, "g"))) {
        const flags = [...m[2].matchAll(/(?:^|\s|\[)--([a-z][a-z-]*)/g)].map((f) => f[1]);
        found.push({ where: `${file}:${at}`, text: m[0].trim(), head: m[1], flags });
      }
    }
  }
  return found;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What is wrong with `npx hardhat <head> <flags>`, or nothing. */
function taskProblems(head: string, flags: string[]): string[] {
  const task = hre.tasks[head];
  if (!task) return [`no task ${head}`];
  return flags.filter((f) => !GLOBAL.includes(f) && !(camel(f) in task.paramDefinitions)).map((f) => `${head} has no --${f}`);
}

describe("promises: README and docs command lines work as written", function () {
  it("every `npx hardhat` line names a task and only flags it accepts", function () {
    const lines = commands("npx hardhat");
    expect(lines.length).to.be.gte(50);
    const bad = lines.flatMap((c) => taskProblems(c.head, c.flags).map((p) => `${c.where}: ${c.text}: ${p}`));
    expect(bad).to.deep.equal([]);
  });

  it("every `npm run` line names a script of package.json, and its flags after `--` are ones its program reads", function () {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const lines = commands("npm run");
    expect(lines.length).to.be.gte(50);
    const bad: string[] = [];
    for (const c of lines) {
      const script = scripts[c.head];
      if (!script) {
        bad.push(`${c.where}: ${c.text}: no script ${c.head}`);
        continue;
      }
      if (c.flags.length === 0) continue;
      const task = /hardhat (?!run|test|compile)([a-z]+:[a-z:-]+)/.exec(script);
      if (task) {
        bad.push(...taskProblems(task[1], c.flags).map((p) => `${c.where}: ${c.text}: ${p}`));
        continue;
      }
      if (/hardhat (run|test)/.test(script)) {
        bad.push(...c.flags.filter((f) => !GLOBAL.includes(f)).map((f) => `${c.where}: ${c.text}: hardhat run takes no --${f}`));
        continue;
      }
      const program = PROGRAMS[c.head];
      if (!program) {
        bad.push(`${c.where}: ${c.text}: flags for ${c.head} not checked (add its program to PROGRAMS)`);
        continue;
      }
      const source = program.map((f) => fs.readFileSync(path.join(ROOT, f), "utf8")).join("\n");
      for (const f of c.flags) {
        const read = source.includes(`"${f}"`) || source.includes(`--${f}`) || new RegExp(`\\b${camel(f)}\\s*:`).test(source);
        if (!read) bad.push(`${c.where}: ${c.text}: ${program[0]} does not read --${f}`);
      }
    }
    expect(bad).to.deep.equal([]);
  });

  it("the README's vault:set-config examples, as written, end with exactly those values once the timelock passes", async function () {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const examples = [...readme.matchAll(/npx hardhat vault:set-config\s+--vault <vault> --kind ([a-z-]+) --set (\S+)/g)].map((m) => ({ kind: m[1], set: m[2] }));
    expect(examples).to.deep.equal([
      { kind: "leverage", set: "targetLeverage=2.8,maxLeverage=3.1" },
      { kind: "keeper-pay", set: "multiplierBps=12000,maxGasPrice=50000000000,maxPerAction=0.01,maxPerDay=0.2" },
    ]);
    const w = await loadFixture(KINDS.find((k) => k.preset.name === "eth-long-3x" && k.venue === "aave")!.fixture);
    for (const { kind, set } of examples) await runTask("vault:set-config", { vault: w.vault.target as string, kind, set, signer: w.manager.address });
    await acceptAllPending(w);
    const leverage = await w.vault.leverageConfig();
    expect([leverage.targetLeverage, leverage.maxLeverage]).to.deep.equal([parseEther("2.8"), parseEther("3.1")]);
    const pay = await w.vault.keeperPayConfig();
    expect([pay.multiplierBps, pay.maxGasPrice, pay.maxPerAction, pay.maxPerDay]).to.deep.equal([12000n, parseUnits("50", "gwei"), parseEther("0.01"), parseEther("0.2")]);
  });

  it("npm run demo -- --preset wsteth-loop --venue morpho (flags, not DEMO_* variables) tells the loop's story on Morpho", async function () {
    const line = "npm run demo -- --preset wsteth-loop --venue morpho";
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).to.include(line);
    const { stdout } = await promisify(execFile)("npm", line.split(" ").slice(1), { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
    for (const expected of ["Preset wsteth-loop", "Morpho Blue, real bytecode", "StopLoss", "Vault left: 0 shares"]) expect(stdout).to.include(expected);
  });
});

// Once a defect: the deploy plan labelled every preset's stop "ETH $".
describe("promises: npm run deploy names a stop in the preset's reference price", function () {
  it("VAULT_PRESET=btc-long-2x VAULT_ETH_STOP_LOSS=45000 npm run deploy prints the stop in BTC/USD", async function () {
    const { stdout } = await hardhat(["run", "deploy/deploy-vault.ts"], { VAULT_PRESET: "btc-long-2x", VAULT_ETH_STOP_LOSS: "45000" });
    expect(stdout).to.match(/stop-loss 45000 \(BTC\/USD/);
    expect(stdout).to.not.include("ETH $45000");
  });
});
