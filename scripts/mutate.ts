/**
 * Mutation check of the adversarial suite (issue 9): removes one guard at a time from the contract sources, runs a
 * short seeded fuzz campaign (no shrinking) and records which invariant failed. Every source is restored (also on
 * Ctrl-C or a crash) and the original contracts recompiled at the end.
 *
 *   npm run mutate [-- --runs N --commands C --seed S --only id1,id2 --unit-only]
 * Writes reports/mutations.json and prints a Markdown table (the README's Testing section quotes it).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";

interface Mutation {
  id: string;
  guard: string;
  file: string;
  find: string;
  replace: string;
  /** Targeted tests run when the campaign does not catch the mutation: guards the fuzzer cannot reach. */
  backstop?: string[];
}

const MUTATIONS: Mutation[] = [
  {
    id: "outage-hourly-cap",
    guard: "OUTAGE-1: the outage path's per-hour cap (EmergencyModule.outageDelever)",
    file: "contracts/keeper/EmergencyModule.sol",
    find: "if (state.hourRepaid + _dustDebt() >= hourlyCap) revert OutageHourlyCapReached(state.hourRepaid, hourlyCap);",
    replace: "",
    backstop: ["test/keeper/outage.test.ts"],
  },
  {
    id: "outage-last-answer",
    guard: "OUTAGE-1: the outage path never prices above the feeds' last answer (EmergencyModule._outagePrices)",
    file: "contracts/keeper/EmergencyModule.sol",
    find: "uint256 referencePrice = Math.min(twap, collateralPrice.mulDiv(WAD, debtPrice));",
    replace: "uint256 referencePrice = twap;",
    backstop: ["test/keeper/outage.test.ts"],
  },
  {
    id: "deviation",
    guard: "DEX spot vs oracle deviation bound (AutomationModule._guards)",
    file: "contracts/keeper/AutomationModule.sol",
    find: "if (LeverageMath.distance(spot, oraclePrice) * BPS > oraclePrice * maxDeviation) {",
    replace: "if (false && LeverageMath.distance(spot, oraclePrice) * BPS > oraclePrice * maxDeviation) {",
  },
  {
    id: "min-out",
    guard: "oracle-derived min out of exact-input swaps (UniswapV3SwapAdapter)",
    file: "contracts/adapters/swap/UniswapV3SwapAdapter.sol",
    find: "if (amountOut < minOut) revert SwapSlippageExceeded(amountOut, minOut);",
    replace: "",
  },
  {
    id: "max-in",
    guard: "oracle-derived max in of exact-output swaps (UniswapV3SwapAdapter)",
    file: "contracts/adapters/swap/UniswapV3SwapAdapter.sol",
    find: "if (amountIn > maxIn) revert SwapInputExceeded(amountIn, maxIn);",
    replace: "",
  },
  {
    id: "cooldown",
    guard: "cooldown between band rebalances (AutomationModule._decide)",
    file: "contracts/keeper/AutomationModule.sol",
    find: "if (RiskPolicy.isBandAction(action) && block.timestamp < _cooldownEnd()) action = Action.None;",
    replace: "",
  },
  {
    id: "post-equity-loss",
    guard: "post-condition: max equity loss of an action (PostConditions, VAULT-EQ-1)",
    file: "contracts/risk/PostConditions.sol",
    find: "if (loss > maxLoss) revert IVaultAutomation.KeeperEquityLossExceeded(loss, maxLoss);",
    replace: "",
    backstop: ["test/keeper/post-conditions.test.ts"],
  },
  {
    id: "post-hf-floor",
    guard: "post-condition: a re-lever ends above the HF floor (PostConditions, VAULT-HF-2)",
    file: "contracts/risk/PostConditions.sol",
    find: "if (afterAction.healthFactor < minHealthFactor) {",
    replace: "if (false) {",
    backstop: ["test/keeper/post-conditions.test.ts"],
  },
  {
    id: "timelock-order",
    guard: "timelock: a leverage loosening applies at once (ImmediateChanges.leverage)",
    file: "contracts/risk/ImmediateChanges.sol",
    find: "return next.targetLeverage <= current.targetLeverage && next.minLeverage <= current.minLeverage",
    replace: "return true || next.targetLeverage <= current.targetLeverage && next.minLeverage <= current.minLeverage",
  },
  // Second review (issue 16): each fix reverted to the code the review attacked; the regression test must fail.
  {
    id: "immediate-floor-raise",
    guard: "ROLE-2: a raised HF floor applies at once (finding 1)",
    file: "contracts/risk/ImmediateChanges.sol",
    find: "&& next.maxLeverage <= current.maxLeverage && next.minHealthFactor == current.minHealthFactor;",
    replace: "&& next.maxLeverage <= current.maxLeverage && next.minHealthFactor >= current.minHealthFactor;",
    backstop: ["test/security/role-2.immediate-powers.test.ts"],
  },
  {
    id: "immediate-automation-cuts",
    guard: "ROLE-2: a smaller trade size / higher critical HF applies at once (findings 1, 2)",
    file: "contracts/risk/ImmediateChanges.sol",
    find: "return next.cooldown >= current.cooldown && next.criticalHealthFactor == current.criticalHealthFactor",
    replace: "return true || next.cooldown >= current.cooldown && next.criticalHealthFactor == current.criticalHealthFactor",
    backstop: ["test/security/role-2.immediate-powers.test.ts"],
  },
  {
    id: "immediate-slippage-cut",
    guard: "ROLE-2: a slippage cut applies at once (finding 3)",
    file: "contracts/risk/ImmediateChanges.sol",
    find: "return next.maxSlippageBps == current.maxSlippageBps && next.swapFee == current.swapFee;",
    replace: "return next.maxSlippageBps <= current.maxSlippageBps && next.swapFee == current.swapFee;",
    backstop: ["test/security/role-2.immediate-powers.test.ts"],
  },
  {
    id: "stop-keeps-rearm",
    guard: "ROLE-2: a stop does not drop a pending re-arm (finding 4)",
    file: "contracts/vault/LeverageEngine.sol",
    find: "if (mode == IVaultAutomation.Mode.StoppedOut && v.pending[IVaultManagement.ChangeKind.Rearm].validAt != 0) {",
    replace: "if (false) {",
    backstop: ["test/security/role-2.immediate-powers.test.ts"],
  },
  {
    id: "rearm-while-active",
    guard: "ROLE-2: a re-arm submittable and acceptable while active (finding 4)",
    file: "contracts/vault/ManagementModule.sol",
    find: "if (v.state.mode == IVaultAutomation.Mode.Active) revert VaultNotStopped();",
    replace: "",
    backstop: ["test/security/role-2.immediate-powers.test.ts"],
  },
  {
    id: "guardian-at-once",
    guard: "ROLE-2: the owner replaces the guardian at once",
    file: "contracts/vault/ManagementModule.sol",
    find: "_change(ChangeKind.Guardian, abi.encode(newGuardian), newGuardian == _vault().guardian);",
    replace: "_change(ChangeKind.Guardian, abi.encode(newGuardian), true);",
    backstop: ["test/security/role-2.immediate-powers.test.ts"],
  },
  {
    id: "stop-configured-bounds",
    guard: "ROLE-2 (b): a stop below the floor keeps the configured bounds",
    file: "contracts/keeper/AutomationModule.sol",
    find: "if (RiskPolicy.isBandAction(action) || healthFactor >= floor) {",
    replace: "if ((action != Action.DeleverHealth && action != Action.Ripcord) || healthFactor >= floor) {",
    backstop: ["test/security/role-2.immediate-powers.test.ts"],
  },
  {
    id: "ripcord-reward-idle",
    guard: "RIPCORD-1: below HF 1 the reward is withdrawn beyond the idle bonus (finding 5)",
    file: "contracts/keeper/EmergencyModule.sol",
    find: "if (ownLiquidation) reward = Math.min(reward, IERC20(COLLATERAL_ASSET).balanceOf(address(this)));",
    replace: "",
    backstop: ["test/security/ripcord-1.reward.test.ts"],
  },
  {
    id: "ripcord-reward-per-call",
    guard: "RIPCORD-1: the reward is a share of equity per call, not of the debt repaid (finding 8)",
    file: "contracts/keeper/EmergencyModule.sol",
    find: "repaid.mulDiv(debtPrice, DEBT_UNIT).mulDiv(config.ripcordRewardBps, BPS),",
    replace: "before.equityValue.mulDiv(config.ripcordRewardBps, BPS) + 0 * repaid,",
    backstop: ["test/security/ripcord-1.reward.test.ts"],
  },
  {
    id: "loss-base",
    guard: "TRIGGER-1: the loss budget on the repaid debt, not the value sold (finding 6a)",
    file: "contracts/keeper/AutomationModule.sol",
    find: "maxLoss = traded.mulDiv(lossBps, BPS - _slippageBps(), Math.Rounding.Ceil);",
    replace: "maxLoss = traded.mulDiv(lossBps, BPS);",
    backstop: ["test/security/trigger-1.crash-window.test.ts"],
  },
  {
    id: "exact-out-basis",
    guard: "TRIGGER-1: a keeper's exact-out bound on the (1 + slippage) basis (finding 6b)",
    file: "contracts/vault/LeverageEngine.sol",
    find: "if (SLIPPAGE_OVERRIDE_SLOT.asUint256().tload() != 0) return fair.mulDiv(BPS, BPS - slippage, Math.Rounding.Ceil);",
    replace: "",
    backstop: ["test/security/trigger-1.crash-window.test.ts"],
  },
  {
    id: "sweep-ignores-cap",
    guard: "CAP-1: idle collateral supplied beyond the supply cap (finding 7)",
    file: "contracts/vault/LeverageEngine.sol",
    find: "uint256 amount = Math.min(idle, _supplyRoom());",
    replace: "uint256 amount = idle;",
    backstop: ["test/security/cap-1.market-caps.test.ts"],
  },
  {
    id: "max-deposit-ignores-caps",
    guard: "CAP-1: deposits and maxDeposit ignore the market's caps (finding 7)",
    file: "contracts/vault/LeverageEngine.sol",
    find: "uint256 supplyRoom = _supplyRoom();",
    replace: "uint256 supplyRoom = type(uint256).max;",
    backstop: ["test/security/cap-1.market-caps.test.ts"],
  },
  {
    id: "deposit-while-stopped",
    guard: "FAIR-1: deposits into a stopped-out vault (finding 9)",
    file: "contracts/vault/LeverageVault.sol",
    find: "if (v.state.mode == IVaultAutomation.Mode.StoppedOut) revert VaultStoppedOut();",
    replace: "",
    backstop: ["test/security/fair-1.stopped-deposits.test.ts"],
  },
  {
    id: "volatility-window-now",
    guard: "the volatility window ends at the call, not the latest round (drifts between rounds)",
    file: "contracts/oracle/ChainlinkOracleAdapter.sol",
    find: "return oldest >= latestAt ? 0 : sumSquares / (latestAt - oldest);",
    replace: "return oldest >= block.timestamp ? 0 : sumSquares / (block.timestamp - oldest);",
    backstop: ["test/keeper/volatility.test.ts"],
  },
  {
    id: "timelock-accept",
    guard: "timelock: acceptChange before validAt (ManagementModule.acceptChange)",
    file: "contracts/vault/ManagementModule.sol",
    find: "if (block.timestamp < validAt) revert VaultTimelockNotElapsed(validAt);",
    replace: "",
  },
];

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const runs = opt("runs", "8");
const commands = opt("commands", "50");
const seed = opt("seed", "20250909");
const only = opt("only", "").split(",").filter(Boolean);
/** `--unit-only`: skip the campaign and run each mutation's targeted regression tests (its `backstop`) only. */
const unitOnly = args.includes("--unit-only");
const root = path.join(__dirname, "..");
const originals = new Map<string, string>();

function restore() {
  for (const [file, text] of originals) fs.writeFileSync(path.join(root, file), text);
  originals.clear();
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

const run = (cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(cmd, cmdArgs, { cwd: root, env, encoding: "utf8", maxBuffer: 1 << 28 });

const results: Array<{ id: string; guard: string; caught: boolean; by: string; ms: number; detail: string }> = [];
try {
  for (const m of MUTATIONS.filter((x) => only.length === 0 || only.includes(x.id))) {
    const file = path.join(root, m.file);
    const text = fs.readFileSync(file, "utf8");
    if (!text.includes(m.find)) throw new Error(`mutation ${m.id}: pattern not found in ${m.file}`);
    originals.set(m.file, text);
    fs.writeFileSync(file, text.replace(m.find, m.replace));
    const compiled = run("npx", ["hardhat", "compile", "--quiet"]);
    if (compiled.status !== 0) throw new Error(`mutation ${m.id} does not compile:\n${compiled.stderr}`);
    const report = path.join(os.tmpdir(), `mutation-${m.id}-${process.pid}.json`);
    const started = Date.now();
    const fuzz = unitOnly
      ? { status: 0, stdout: "", stderr: "" }
      : run("npx", ["hardhat", "test", "test/adversarial/stateful.test.ts"], {
          ...process.env, FUZZ_RUNS: runs, FUZZ_COMMANDS: commands, FUZZ_SEED: seed, FUZZ_SHRINK: "0", FUZZ_REPORT: report,
          // The campaign the mutations were measured with: the 3x WETH/USDC long on Aave (the suite covers every kind).
          FUZZ_PRESET: process.env.FUZZ_PRESET ?? "eth-long-3x", FUZZ_VENUE: process.env.FUZZ_VENUE ?? "aave",
        });
    const ms = Date.now() - started;
    const out = fs.existsSync(report) ? (JSON.parse(fs.readFileSync(report, "utf8")) as { ok?: boolean; message?: string }) : {};
    const message = out.message ?? (fuzz.status === 0 ? "" : (fuzz.stdout + fuzz.stderr).split("\n").find((l) => /violated|Error/.test(l)) ?? "failed");
    let by = /^(\S+) violated/.exec(message)?.[1] ?? (fuzz.status === 0 ? "-" : "other");
    let caught = fuzz.status !== 0;
    let detail = message;
    if (!caught && m.backstop) {
      const unit = run("npx", ["hardhat", "test", ...m.backstop]);
      caught = unit.status !== 0;
      if (caught) {
        const failing = /^\s+\d+\) .*\n\s+(.*):$/m.exec(unit.stdout)?.[1] ?? "a test failed";
        by = `unit: ${m.backstop.join(", ")}`;
        detail = `${unitOnly ? "campaign not run (--unit-only)" : "not reached by the campaign"}; ${failing}`;
      }
    }
    results.push({ id: m.id, guard: m.guard, caught, by, ms, detail: detail.slice(0, 300) });
    console.log(`${m.id}: ${caught ? `caught by ${by}` : "NOT caught"} (${(ms / 1000).toFixed(0)} s) ${detail.slice(0, 200)}`);
    restore();
  }
} finally {
  restore();
  run("npx", ["hardhat", "compile", "--quiet"]);
}
fs.mkdirSync(path.join(root, "reports"), { recursive: true });
// `--only` re-runs some mutations: their rows replace the recorded ones, the others stay as recorded.
const reportFile = path.join(root, "reports", "mutations.json");
type Row = (typeof results)[number] & { runs?: string; commands?: string; seed?: string };
const rows: Row[] = results.map((r) => ({ ...r, runs: unitOnly ? "0 (unit only)" : runs, commands, seed }));
if (only.length !== 0 && fs.existsSync(reportFile)) {
  const recorded = JSON.parse(fs.readFileSync(reportFile, "utf8")) as { runs: string; commands: string; seed: string; results: Row[] };
  const kept = recorded.results
    .filter((r) => !only.includes(r.id))
    .map((r) => ({ runs: recorded.runs, commands: recorded.commands, seed: recorded.seed, ...r }));
  rows.unshift(...kept);
  rows.sort((a, b) => MUTATIONS.findIndex((m) => m.id === a.id) - MUTATIONS.findIndex((m) => m.id === b.id));
}
fs.writeFileSync(reportFile, JSON.stringify({ results: rows }, null, 2) + "\n");
console.log("\n| mutation (guard removed) | caught | by | first failure |\n| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.id}: ${r.guard} | ${r.caught ? "yes" : "**no**"} | ${r.by} | ${r.detail.replace(/\|/g, "/").slice(0, 160)} |`);
process.exit(results.every((r) => r.caught) ? 0 : 1);
