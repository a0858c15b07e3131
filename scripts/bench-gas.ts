/**
 * Gas benchmark: each main vault operation against its protocol floor, measured on the same market state, for every
 * preset (scripts/lib/deploy/presets.ts). For every operation the chain is snapshotted, the vault runs it, the chain
 * is reverted, and GasFloorProbe, a contract holding the same position (same tokens, pool and e-mode), makes only the
 * bare protocol calls the operation cannot avoid.
 * Writes reports/gas.json as {"operations": {...eth-long-3x...}, "presets": {"<preset>": {"<name>": {"gas": N,
 * "floor": M}}}, "fees": {...}} and prints gas / floor per preset. "fees" (eth-long-3x): the gas of a fee accrual
 * alone and of a deposit and a keeper deleverage with fees / keeper pay on next to the same operations with them off
 * (issue 21), all on the same state.
 *
 *   npm run bench:gas                          every preset
 *   npm run bench:gas -- --preset wsteth-loop  one preset (reports/gas.json is then not written)
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { MaxUint256, parseEther, type ContractTransactionResponse, type Log } from "ethers";
import { ASSET_FIELDS, deployMarket, type Market } from "./lib/market/market";
import { fund, refreshFeeds, setMarketPrice } from "./lib/market/market-helpers";
import { advanceTimeAllFeeds, referencePrice, setReferencePrice } from "./lib/market/reference-price";
import { deployVault, localTokenContract, toUnits } from "./lib/deploy/vault";
import { PRESET_NAMES, PresetError, getPreset, localDecimals, localPair, presetSettings, type Preset } from "./lib/deploy/presets";
import type { GasFloorProbe } from "../typechain-types";

const { ethers } = hre;
const OUT = path.join(__dirname, "..", "reports", "gas.json");

async function gasOf(tx: Promise<ContractTransactionResponse>) {
  const receipt = (await (await tx).wait())!;
  return { gas: Number(receipt.gasUsed), logs: receipt.logs };
}

/** Runs `vaultOp`, reverts, runs `floorOp(logs of the vault op)`, reverts: both on the same state. */
async function measure(
  vaultOp: () => Promise<ContractTransactionResponse>,
  floorOp: (vaultLogs: readonly Log[]) => Promise<ContractTransactionResponse>,
) {
  const snapshot = await ethers.provider.send("evm_snapshot", []);
  const vault = await gasOf(vaultOp());
  await ethers.provider.send("evm_revert", [snapshot]);
  const again = await ethers.provider.send("evm_snapshot", []);
  const floor = await gasOf(floorOp(vault.logs));
  await ethers.provider.send("evm_revert", [again]);
  return { gas: vault.gas, floor: floor.gas };
}

type Operations = Record<string, { gas: number; floor: number }>;
type FeeFigures = Record<string, number>;

/** The base position: $200,000 of collateral levered to the preset's target (100 WETH at $2,000 for the 3x). */
const POSITION_USD = 200_000;

/** Moves the preset's reference price so that the pair's price (debt per collateral) is `multiple` x today's. */
async function movePairPrice(market: Market, preset: Preset, multiple: number): Promise<void> {
  const now = await referencePrice(market, preset.reference);
  await advanceTimeAllFeeds(market, 60);
  await setReferencePrice(market, preset.reference, preset.direction === 1 ? now * multiple : now / multiple);
}

async function benchPreset(market: Market, preset: Preset): Promise<{ operations: Operations; fees?: FeeFigures }> {
  const [user, keeper, stranger] = market.users;
  const pair = localPair(preset);
  const dec = localDecimals(preset);
  // No trade-size cap in the way of one-call operations: $10M of debt asset (USDC, or WETH at $2,000).
  const settings = presetSettings(preset, {}, { maxTradeSize: pair.debt === "USDC" ? 1e7 : 5e3, cooldown: 0 });
  const { vault } = await deployVault(ethers, market, { pair, settings, keepers: [keeper.address] });
  const collateral = localTokenContract(market, pair.collateral);
  const debt = localTokenContract(market, pair.debt);
  const Probe = await ethers.getContractFactory("GasFloorProbe");
  const probe = (await Probe.deploy(market.pool.target, market.swapRouter.target, collateral.target, debt.target, settings.swapFee)) as unknown as GasFloorProbe;
  if (pair.eMode) await (await probe.enterEMode(market.eModeCategory)).wait();
  const collateralUsd = Number((await vault.oraclePrices())[0]) / 1e18;
  const units = (usd: number) => toUnits((usd / collateralUsd).toFixed(8), dec.collateral);
  await fund(market, user.address, { [ASSET_FIELDS[pair.collateral].token]: units(POSITION_USD * 10) });
  for (const spender of [vault.target, probe.target]) {
    await (await collateral.connect(user).getFunction("approve")(spender, MaxUint256)).wait();
  }
  const poolEvents = market.pool.interface;
  const flashAmount = (logs: readonly Log[]) => {
    for (const log of logs) {
      const parsed = log.address === market.pool.target ? poolEvents.parseLog(log) : null;
      if (parsed?.name === "FlashLoan") return parsed.args.amount as bigint;
    }
    throw new Error("no flash loan in the vault's transaction");
  };
  const borrowed = (logs: readonly Log[]) => {
    for (const log of logs) {
      const parsed = log.address === vault.target ? vault.interface.parseLog(log) : null;
      if (parsed?.name === "PositionRebalanced") return parsed.args.debtDelta as bigint;
    }
    throw new Error("the deposit did not lever");
  };
  const probeDebt = () => market[ASSET_FIELDS[pair.debt].variableDebt].balanceOf(probe.target) as Promise<bigint>;
  // A full exit repays max; the flash loan covers the interest of the block it lands in.
  const withAccrual = (debtAmount: bigint) => debtAmount + debtAmount / 100_000n;
  const probeCollateral = () => market[ASSET_FIELDS[pair.collateral].aToken].balanceOf(probe.target) as Promise<bigint>;

  // Base state: vault and probe each hold the same collateral levered to the target.
  const opened = await gasOf(vault.connect(user)["deposit(uint256,address)"](units(POSITION_USD), user.address));
  await (await probe.connect(user).lever(units(POSITION_USD), borrowed(opened.logs))).wait();

  const fees = preset.name === "eth-long-3x" ? await measureFees() : undefined;
  const operations: Operations = {};
  operations.deposit = await measure(
    () => vault.connect(user)["deposit(uint256,address)"](units(POSITION_USD / 10), user.address),
    (logs) => probe.connect(user).lever(units(POSITION_USD / 10), borrowed(logs)),
  );
  const shares = await vault.balanceOf(user.address);
  operations.partialWithdrawal = await measure(
    () => vault.connect(user)["redeem(uint256,address,address)"](shares / 2n, user.address, user.address),
    async () => probe.exit((await probeDebt()) / 2n, (await probeCollateral()) / 2n, user.address),
  );
  operations.fullWithdrawal = await measure(
    () => vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address),
    async () => probe.exit(withAccrual(await probeDebt()), MaxUint256, user.address),
  );

  // The pair's price falls until leverage is past the band by 2/3 of its half-width (3x -> ~3.5x): the keeper
  // delevers back to the target. Leverage L' after a pair-price multiple m: L' = T m / (T m - (T - 1)).
  const T = settings.targetLeverage;
  const past = settings.maxLeverage + (settings.maxLeverage - T) * (2 / 3);
  await movePairPrice(market, preset, ((T - 1) * past) / (T * (past - 1)));
  operations.keeperDeleverage = await measure(
    () => vault.connect(keeper).rebalance(),
    (logs) => probe.delever(flashAmount(logs), 0n, ethers.ZeroAddress),
  );

  // Stop-loss at the current price: one call unwinds the whole position to 1x.
  const e = await vault.exitConfig();
  const exits = { stopLossPrice: e.stopLossPrice, takeProfitPrice: e.takeProfitPrice, takeProfitLeverage: e.takeProfitLeverage, trailBps: e.trailBps, stopToDebtAsset: e.stopToDebtAsset };
  const price = (await vault.position()).price;
  await (await vault.setExitConfig({ ...exits, stopLossPrice: price })).wait();
  operations.stopLossUnwind = await measure(
    () => vault.connect(keeper).rebalance(),
    async () => probe.exit(withAccrual(await probeDebt()), MaxUint256, ethers.ZeroAddress),
  );
  await (await vault.setExitConfig(exits)).wait();

  // Health factor below critical (the HF moves with the pair's price): anyone pulls the ripcord.
  const healthFactor = Number((await vault.position()).healthFactor) / 1e18;
  await movePairPrice(market, preset, (settings.criticalHealthFactor * 0.995) / healthFactor);
  const rewardOf = (logs: readonly Log[]) => {
    for (const log of logs) {
      const parsed = log.address === vault.target ? vault.interface.parseLog(log) : null;
      if (parsed?.name === "RipcordRewardPaid") return parsed.args.assets as bigint;
    }
    return 0n;
  };
  operations.ripcord = await measure(
    () => vault.connect(stranger).ripcord(),
    (logs) => probe.delever(flashAmount(logs), rewardOf(logs), stranger.address),
  );
  return { operations, fees };

  /**
   * Fees on (2 %/yr, 20 %, a day since the last accrual) and keeper pay on (1.2x, 10 gwei): each figure against the
   * same operation with them off, on the same state; everything reverted afterwards.
   */
  async function measureFees() {
    const day = 86_400;
    const base = await ethers.provider.send("evm_snapshot", []);
    const out: Record<string, number> = {};
    const gasPrice = 10_000_000_000n;
    const depositOff = await measure(() => vault.connect(user)["deposit(uint256,address)"](parseEther("10"), user.address), () => vault.connect(user).accrueFee());
    out.depositFeesOff = depositOff.gas;
    await (await vault.setFeeRecipient(stranger.address)).wait();
    await (await vault.setFees(200, 2000)).wait();
    await (await vault.setKeeperPayConfig({ multiplierBps: 12_000, gasTokenIsDebt: false, maxGasPrice: 200_000_000_000n, maxPerAction: parseEther("0.05"), maxPerDay: parseEther("1") })).wait();
    await ethers.provider.send("evm_increaseTime", [Number(await vault.timelock()) + 1]);
    await refreshFeeds(market);
    await (await vault.acceptChange(8)).wait();
    await (await vault.acceptChange(9)).wait();
    await ethers.provider.send("evm_increaseTime", [day]);
    await refreshFeeds(market);
    const accrual = await measure(() => vault.accrueFee(), () => vault.accrueFee());
    out.accrueFeeAfterADay = accrual.gas;
    const depositOn = await measure(() => vault.connect(user)["deposit(uint256,address)"](parseEther("10"), user.address), () => vault.connect(user).accrueFee());
    out.depositFeesOn = depositOn.gas;
    await setMarketPrice(market, (2000 * 7) / 7.5);
    const paid = await measure(() => vault.connect(keeper).rebalance({ gasPrice }), () => vault.accrueFee());
    out.keeperDeleveragePaid = paid.gas;
    await (await vault.setKeeperPayConfig({ multiplierBps: 0, gasTokenIsDebt: false, maxGasPrice: 200_000_000_000n, maxPerAction: parseEther("0.05"), maxPerDay: parseEther("1") })).wait();
    const unpaid = await measure(() => vault.connect(keeper).rebalance({ gasPrice }), () => vault.accrueFee());
    out.keeperDeleverageFeesOnUnpaid = unpaid.gas;
    await (await vault.setFees(0, 0)).wait();
    const off = await measure(() => vault.connect(keeper).rebalance({ gasPrice }), () => vault.accrueFee());
    out.keeperDeleverageFeesOff = off.gas;
    await ethers.provider.send("evm_revert", [base]);
    return out;
  }
}

/** `--preset NAME` (or `--preset=NAME`), else BENCH_PRESET, else every preset. */
function presetsToRun(argv: string[]): Preset[] {
  const i = argv.findIndex((a) => a === "--preset" || a.startsWith("--preset="));
  const name = i < 0 ? process.env.BENCH_PRESET : argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  return name ? [getPreset(name)] : PRESET_NAMES.map(getPreset);
}

async function main() {
  const presets = presetsToRun(process.argv.slice(2));
  await hre.run("compile", { quiet: true }); // a no-op under `hardhat run`; needed when started by ts-node
  const results: Record<string, Operations> = {};
  let fees: FeeFigures | undefined;
  for (const preset of presets) {
    const market = await deployMarket(ethers);
    const bench = await benchPreset(market, preset);
    results[preset.name] = bench.operations;
    fees ??= bench.fees;
    console.log(`\n${preset.name}: gas / floor`);
    console.table(
      Object.fromEntries(
        Object.entries(results[preset.name]).map(([name, { gas, floor }]) => [name, { gas, floor, ratio: Number((gas / floor).toFixed(3)) }]),
      ),
    );
  }
  // Only complete, uninstrumented figures of every preset replace the recorded ones.
  if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING || process.env.SOLIDITY_COVERAGE) {
    console.log(`coverage run (instrumented contracts): ${path.relative(process.cwd(), OUT)} not written`);
    return;
  }
  if (presets.length !== PRESET_NAMES.length) {
    console.log(`one preset: ${path.relative(process.cwd(), OUT)} not written (it holds every preset)`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify({ operations: results["eth-long-3x"], presets: results, fees }, null, 2) + "\n");
  console.log("\nfees and keeper pay (eth-long-3x), gas:");
  console.table(fees);
  console.log(`written ${path.relative(process.cwd(), OUT)}`);
}

main().catch((error) => {
  if (error instanceof PresetError) {
    console.error(`bench:gas: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
