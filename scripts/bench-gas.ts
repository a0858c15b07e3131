/**
 * Gas benchmark: each main vault operation against its protocol floor, measured on the same market state.
 * For every operation the chain is snapshotted, the vault runs it, the chain is reverted, and GasFloorProbe, a
 * contract holding the same position, makes only the bare protocol calls the operation cannot avoid.
 * Writes reports/gas.json as {"operations": {"<name>": {"gas": N, "floor": M}}} and prints gas / floor, plus
 * {"fees": {...}}: the gas of a fee accrual alone and of a deposit and a keeper deleverage with fees / keeper pay on
 * next to the same operations with them off (issue 21), all on the same state.
 *
 *   npm run bench:gas
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { MaxUint256, parseEther, type ContractTransactionResponse, type Log } from "ethers";
import { deployMarket } from "./lib/market/market";
import { fund, refreshFeeds, setMarketPrice } from "./lib/market/market-helpers";
import { deployVault, wad } from "./lib/deploy/vault";
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

async function main() {
  const market = await deployMarket(ethers);
  const [user, keeper, stranger] = market.users;
  const { vault } = await deployVault(ethers, market, {
    settings: { targetLeverage: 3, minLeverage: 2.7, maxLeverage: 3.3, minHealthFactor: 1.15, criticalHealthFactor: 1.08, maxTradeSize: 10_000_000 },
    keepers: [keeper.address],
  });
  const Probe = await ethers.getContractFactory("GasFloorProbe");
  const probe = (await Probe.deploy(market.pool.target, market.swapRouter.target, market.weth.target, market.usdc.target, 500)) as unknown as GasFloorProbe;
  await fund(market, user.address, { weth: parseEther("1000") });
  for (const spender of [vault.target, probe.target]) {
    await (await market.weth.connect(user).getFunction("approve")(spender, MaxUint256)).wait();
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
  const probeDebt = () => market.variableDebtUSDC.balanceOf(probe.target) as Promise<bigint>;
  // A full exit repays max; the flash loan covers the interest of the block it lands in.
  const withAccrual = (debt: bigint) => debt + debt / 100_000n;
  const probeCollateral = () => market.aWETH.balanceOf(probe.target) as Promise<bigint>;

  // Base state: vault and probe each hold 100 WETH levered to 3x.
  const opened = await gasOf(vault.connect(user)["deposit(uint256,address)"](parseEther("100"), user.address));
  await (await probe.connect(user).lever(parseEther("100"), borrowed(opened.logs))).wait();

  const fees = await measureFees();
  const operations: Record<string, { gas: number; floor: number }> = {};
  operations.deposit = await measure(
    () => vault.connect(user)["deposit(uint256,address)"](parseEther("10"), user.address),
    (logs) => probe.connect(user).lever(parseEther("10"), borrowed(logs)),
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

  // Price falls until leverage is ~3.5x: the keeper delevers back to 3x (by 0.5x).
  await setMarketPrice(market, (2000 * 7) / 7.5);
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

  // Health factor below critical: anyone pulls the ripcord and is paid a bounded reward.
  await setMarketPrice(market, 1720);
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

  // Only complete, uninstrumented figures replace the recorded ones (an error above leaves the file untouched).
  if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING || process.env.SOLIDITY_COVERAGE) {
    console.log(`coverage run (instrumented contracts): ${path.relative(process.cwd(), OUT)} not written`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify({ operations, fees }, null, 2) + "\n");
  console.table(
    Object.fromEntries(
      Object.entries(operations).map(([name, { gas, floor }]) => [name, { gas, floor, ratio: Number((gas / floor).toFixed(3)) }]),
    ),
  );
  console.table(fees);
  console.log(`written ${path.relative(process.cwd(), OUT)}`);
  void wad;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
