/**
 * The gas benchmark's body (scripts/bench-gas.ts): each main vault operation of one (preset, venue) against its
 * protocol floor, measured on the same market state. For every operation the chain is snapshotted, the vault runs
 * it, the chain is reverted, and a floor probe holding the same position makes only the bare protocol calls the
 * operation cannot avoid: GasFloorProbe on Aave (flash loan, swap, supply / repay / withdraw), MorphoGasFloorProbe
 * on Morpho Blue (free flash loan, swap, supplyCollateral / borrow / repay / withdrawCollateral). Both probes take
 * the same `lever`, `exit` and `delever` calls, so one sequence measures either venue.
 *
 * A third figure, the guarded floor, runs the same probe call on the same state once more, through `guarded` of the
 * probe's guarded build (contracts/test/GuardedFloorProbes.sol) put in place of the probe's code for that one
 * transaction (`asGuarded`): the same protocol calls plus, for real in the same transaction, the guards the mission
 * mandates for the operation and nothing of the vault's logic (contracts/test/GuardReads.sol says which, per
 * operation). Its configuration is the vault's own: the same feeds, heartbeats, variance rounds, pool and deviation
 * bound. The floor probes themselves are untouched, so their floors are what they were.
 */
import { Interface, MaxUint256, ZeroAddress, parseEther, toBeHex, type AddressLike, type BigNumberish, type ContractTransactionResponse, type Log } from "ethers";
import { ASSET_FIELDS, type Ethers, type Market } from "../market/market";
import { fund, refreshFeeds, setMarketPrice } from "../market/market-helpers";
import { advanceTimeAllFeeds, referencePrice, setReferencePrice } from "../market/reference-price";
import { deployMorpho } from "../market/morpho";
import { deployVault, localOracleConfig, localTokenContract, toUnits, type DeployedVault, type VaultPair, type VaultSettings } from "../deploy/vault";
import { deployMorphoVault, localMorphoMarkets } from "../deploy/morpho-vault";
import {
  PRESET_NAMES,
  PresetError,
  getPreset,
  localDecimals,
  localPair,
  presetSettings,
  presetVenues,
  type Preset,
  type Venue,
} from "../deploy/presets";
import type { GasFloorProbe, MorphoGasFloorProbe } from "../../../typechain-types";
import type { GuardReads } from "../../../typechain-types/contracts/test/GuardedFloorProbes.sol/GuardedGasFloorProbe";

/** Morpho's FlashLoan event (EventsLib): solc 0.8.19 leaves library events out of Morpho's own ABI. */
const MORPHO_EVENTS = new Interface(["event FlashLoan(address indexed caller, address indexed token, uint256 assets)"]);

/** Per operation: the vault's gas, the bare protocol floor, and the floor plus the mandated guards. */
export type Operations = Record<string, { gas: number; floor: number; guardedFloor: number }>;
export type FeeFigures = Record<string, number>;
export const VENUES: readonly Venue[] = ["aave", "morpho"];

/** The base position: $200,000 of collateral levered to the preset's target (100 WETH at $2,000 for the 3x). */
export const POSITION_USD = 200_000;

/** What the bench asks of a floor probe on either venue (both contracts have these three entry points). */
interface FloorProbe {
  target: AddressLike;
  lever(deposit: BigNumberish, borrow: BigNumberish): Promise<ContractTransactionResponse>;
  exit(debtAmount: BigNumberish, collateralAmount: BigNumberish, to: AddressLike): Promise<ContractTransactionResponse>;
  delever(collateralAmount: BigNumberish, reward: BigNumberish, to: AddressLike): Promise<ContractTransactionResponse>;
}

/** The guarded build of either probe: `op`'s probe call (lever(a, b), exit(a, b, to) or delever(a, b, to)) with its guards. */
interface GuardedProbe {
  guarded(op: BigNumberish, a: BigNumberish, b: BigNumberish, to: AddressLike): Promise<ContractTransactionResponse>;
}

/** GuardReads.GuardedOp: which probe call and which mandated guards a guarded build's `guarded` runs. */
export const GUARDED_OP = { Deposit: 0, Withdrawal: 1, KeeperDeleverage: 2, StopLoss: 3, Ripcord: 4, Refinance: 5 } as const;

/**
 * The runtime code of a probe's guarded build (`contract`, its constructor `args`), as the constructor returns it from
 * an eth_call: nothing is deployed and no block is mined, so the bench's state is the same with or without it.
 */
export async function guardedRuntime(ethers: Ethers, contract: string, args: unknown[]): Promise<string> {
  const factory = await ethers.getContractFactory(contract);
  const { data } = await factory.getDeployTransaction(...args);
  return ethers.provider.call({ data });
}

/**
 * Puts the guarded build's `runtime` code in place of the probe's at `probe` and writes GuardReads' keeper slot
 * (slot 0: `keeper`, then a non-zero last band-action time, as in a vault that has rebalanced before). Neither mines
 * a block; the caller reverts its snapshot afterwards.
 */
export async function installGuarded(ethers: Ethers, probe: AddressLike, runtime: string, keeper: string): Promise<void> {
  const at = String(probe);
  await ethers.provider.send("hardhat_setCode", [at, runtime]);
  await ethers.provider.send("hardhat_setStorageAt", [at, "0x0", toBeHex((1n << 160n) | BigInt(keeper), 32)]);
}

/**
 * The guards of a vault of `pair` with `settings` on `market`, as its probe runs them: the vault's own feeds and
 * heartbeats (localOracleConfig), its variance rounds (read only when volatility-aware leverage is on), its pool (the
 * pair at its fee tier), its DEX deviation bound and cooldown, and `keeper` as the one authorised keeper.
 */
export async function guardConfig(market: Market, pair: VaultPair, settings: VaultSettings, keeper: string): Promise<GuardReads.GuardConfigStruct> {
  const oracle = localOracleConfig(market, pair);
  const collateral = localTokenContract(market, pair.collateral).target as string;
  const debt = localTokenContract(market, pair.debt).target as string;
  return {
    collateralFeed: oracle.collateralFeed,
    debtFeed: oracle.debtFeed,
    varianceFeed: oracle.varianceFeed,
    collateralHeartbeat: oracle.collateralHeartbeat,
    debtHeartbeat: oracle.debtHeartbeat,
    volatilityAware: (settings.volatilityHorizon ?? 0) > 0,
    rounds: settings.volatilityRounds ?? 8,
    pool: await market.uniswapFactory.getPool(collateral, debt, settings.swapFee),
    maxDeviationBps: settings.maxDexDeviationBps,
    cooldown: settings.cooldown,
    keeper,
  };
}

/**
 * `--preset NAME` (or `--preset=NAME`, else BENCH_PRESET) and `--venue aave|morpho` (or `--venue=`, else BENCH_VENUE):
 * every (preset, venue) pair without either; a preset alone runs on each of its venues, a venue alone runs every
 * preset available on it. A preset that does not run on the venue asked for is a PresetError.
 */
export function benchSelection(argv: string[], env: NodeJS.ProcessEnv = process.env): { preset: Preset; venue: Venue }[] {
  const option = (flag: string, fallback?: string) => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return fallback;
    const value = argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
    if (!value || value.startsWith("--")) throw new PresetError(`${flag} needs a value`);
    return value;
  };
  const name = option("--preset", env.BENCH_PRESET);
  const venue = option("--venue", env.BENCH_VENUE);
  if (venue !== undefined && !VENUES.includes(venue as Venue)) throw new PresetError(`unknown venue '${venue}'; venues: ${VENUES.join(", ")}`);
  if (name) {
    const preset = getPreset(name);
    const venues = Object.keys(preset.venues) as Venue[];
    if (venue && !venues.includes(venue as Venue)) {
      throw new PresetError(`preset '${name}' does not run on ${venue}; venues: ${venues.join(", ")}`);
    }
    return (venue ? [venue as Venue] : venues).map((v) => ({ preset, venue: v }));
  }
  return presetVenues().filter((p) => !venue || p.venue === venue);
}

/** True when the selection is every (preset, venue) pair: only then is reports/gas.json rewritten. */
export function isFullSelection(selection: { preset: Preset; venue: Venue }[]): boolean {
  return selection.length === presetVenues().length && PRESET_NAMES.every((n) => selection.some((s) => s.preset.name === n));
}

/**
 * One (preset, venue) on `market` (a fresh local market): the vault and the probe each open the same levered
 * position, then deposit, partial and full withdrawal (redeem), keeper deleverage, stop-loss unwind and ripcord are
 * each measured against the probe's floor. `fees` (Aave eth-long-3x only): fee and keeper-pay figures.
 */
export async function benchPreset(
  ethers: Ethers,
  market: Market,
  preset: Preset,
  venue: Venue = "aave",
): Promise<{ operations: Operations; fees?: FeeFigures }> {
  const [user, keeper, stranger] = market.users;
  const pair = localPair(preset);
  const dec = localDecimals(preset);
  // No trade-size cap in the way of one-call operations: $10M of debt asset (USDC, or WETH at $2,000).
  const settings = presetSettings(preset, {}, { maxTradeSize: pair.debt === "USDC" ? 1e7 : 5e3, cooldown: 0 }, venue);
  const collateral = localTokenContract(market, pair.collateral);
  const debt = localTokenContract(market, pair.debt);
  const guards = await guardConfig(market, pair, settings, keeper.address);

  let vault: DeployedVault["vault"];
  let probe: FloorProbe;
  /** The probe's guarded build: its contract name and runtime code (GuardedFloorProbes.sol). */
  let guardedBuild: { name: string; runtime: string };
  /** Where the venue's FlashLoan event comes from and how to read its amount. */
  let flashSource: { address: AddressLike; parse: (log: Log) => bigint | undefined };
  let probeDebt: () => Promise<bigint>;
  let probeCollateral: () => Promise<bigint>;
  if (venue === "morpho") {
    const blue = await deployMorpho(ethers, market);
    ({ vault } = await deployMorphoVault(ethers, market, blue, { pair: { ...pair, eMode: false }, settings, keepers: [keeper.address] }));
    const markets = localMorphoMarkets(market, blue, pair);
    const params = Object.values(blue.markets).find((p) => p.collateralToken === markets.collateralAsset && p.loanToken === markets.debtAsset)!;
    const Probe = await ethers.getContractFactory("MorphoGasFloorProbe");
    const morphoProbe = (await Probe.deploy(blue.morpho.target, market.swapRouter.target, params, settings.swapFee)) as unknown as MorphoGasFloorProbe;
    await morphoProbe.waitForDeployment();
    probe = morphoProbe;
    const name = "GuardedMorphoGasFloorProbe";
    guardedBuild = { name, runtime: await guardedRuntime(ethers, name, [blue.morpho.target, market.swapRouter.target, params, settings.swapFee, guards]) };
    flashSource = {
      address: blue.morpho.target as string,
      parse: (log) => {
        const parsed = MORPHO_EVENTS.parseLog(log);
        return parsed?.name === "FlashLoan" ? (parsed.args.assets as bigint) : undefined;
      },
    };
    probeDebt = () => morphoProbe.debt();
    probeCollateral = () => morphoProbe.collateral();
  } else {
    ({ vault } = await deployVault(ethers, market, { pair, settings, keepers: [keeper.address] }));
    const Probe = await ethers.getContractFactory("GasFloorProbe");
    const aaveProbe = (await Probe.deploy(market.pool.target, market.swapRouter.target, collateral.target, debt.target, settings.swapFee)) as unknown as GasFloorProbe;
    if (pair.eMode) await (await aaveProbe.enterEMode(market.eModeCategory)).wait();
    probe = aaveProbe;
    const name = "GuardedGasFloorProbe";
    const args = [market.pool.target, market.swapRouter.target, collateral.target, debt.target, settings.swapFee, guards];
    guardedBuild = { name, runtime: await guardedRuntime(ethers, name, args) };
    flashSource = {
      address: market.pool.target as string,
      parse: (log) => {
        const parsed = market.pool.interface.parseLog(log);
        return parsed?.name === "FlashLoan" ? (parsed.args.amount as bigint) : undefined;
      },
    };
    probeDebt = () => market[ASSET_FIELDS[pair.debt].variableDebt].balanceOf(aaveProbe.target) as Promise<bigint>;
    probeCollateral = () => market[ASSET_FIELDS[pair.collateral].aToken].balanceOf(aaveProbe.target) as Promise<bigint>;
  }
  const probeAs = (signer: typeof user) => (probe as unknown as { connect(s: typeof user): FloorProbe }).connect(signer);
  /** The probe as its guarded build, for `signer` (its code is put in place inside `measure`'s third snapshot). */
  const guardedProbe = await ethers.getContractAt(guardedBuild.name, probe.target as string);
  const guardedAs = (signer: typeof user) => guardedProbe.connect(signer) as unknown as GuardedProbe;

  const collateralUsd = Number((await vault.oraclePrices())[0]) / 1e18;
  const units = (usd: number) => toUnits((usd / collateralUsd).toFixed(8), dec.collateral);
  await fund(market, user.address, { [ASSET_FIELDS[pair.collateral].token]: units(POSITION_USD * 10) });
  for (const spender of [vault.target, probe.target]) {
    await (await collateral.connect(user).getFunction("approve")(spender, MaxUint256)).wait();
  }
  const flashAmount = (logs: readonly Log[]) => {
    for (const log of logs) {
      const amount = log.address === flashSource.address ? flashSource.parse(log) : undefined;
      if (amount !== undefined) return amount;
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
  // A full exit repays everything; the flash loan covers the interest of the block it lands in.
  const withAccrual = (debtAmount: bigint) => debtAmount + debtAmount / 100_000n;

  await seedFeedHistory(market, Number((await vault.volatilityConfig()).rounds));
  // Base state: vault and probe each hold the same collateral levered to the target.
  const opened = await gasOf(vault.connect(user)["deposit(uint256,address)"](units(POSITION_USD), user.address));
  await (await probeAs(user).lever(units(POSITION_USD), borrowed(opened.logs))).wait();

  const fees = preset.name === "eth-long-3x" && venue === "aave" ? await measureFees() : undefined;
  const operations: Operations = {};
  operations.deposit = await measure(
    () => vault.connect(user)["deposit(uint256,address)"](units(POSITION_USD / 10), user.address),
    ...probeRuns(GUARDED_OP.Deposit, user, async (logs) => [units(POSITION_USD / 10), borrowed(logs), ZeroAddress]),
  );
  const shares = await vault.balanceOf(user.address);
  operations.partialWithdrawal = await measure(
    () => vault.connect(user)["redeem(uint256,address,address)"](shares / 2n, user.address, user.address),
    ...probeRuns(GUARDED_OP.Withdrawal, user, async () => [(await probeDebt()) / 2n, (await probeCollateral()) / 2n, user.address]),
  );
  operations.fullWithdrawal = await measure(
    () => vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address),
    ...probeRuns(GUARDED_OP.Withdrawal, user, async () => [withAccrual(await probeDebt()), MaxUint256, user.address]),
  );

  // The pair's price falls until leverage is past the band by 2/3 of its half-width (3x -> ~3.5x): the keeper
  // delevers back to the target. Leverage L' after a pair-price multiple m: L' = T m / (T m - (T - 1)).
  const T = settings.targetLeverage;
  const past = settings.maxLeverage + (settings.maxLeverage - T) * (2 / 3);
  await movePairPrice(market, preset, ((T - 1) * past) / (T * (past - 1)));
  operations.keeperDeleverage = await measure(
    () => vault.connect(keeper).rebalance(),
    ...probeRuns(GUARDED_OP.KeeperDeleverage, keeper, async (logs) => [flashAmount(logs), 0n, ZeroAddress]),
  );

  // Stop-loss at the current price: one call unwinds the whole position to 1x.
  const e = await vault.exitConfig();
  const exits = { stopLossPrice: e.stopLossPrice, takeProfitPrice: e.takeProfitPrice, takeProfitLeverage: e.takeProfitLeverage, trailBps: e.trailBps, stopToDebtAsset: e.stopToDebtAsset };
  const price = (await vault.position()).price;
  await (await vault.setExitConfig({ ...exits, stopLossPrice: price })).wait();
  operations.stopLossUnwind = await measure(
    () => vault.connect(keeper).rebalance(),
    ...probeRuns(GUARDED_OP.StopLoss, keeper, async () => [withAccrual(await probeDebt()), MaxUint256, ZeroAddress]),
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
    ...probeRuns(GUARDED_OP.Ripcord, stranger, async (logs) => [flashAmount(logs), rewardOf(logs), stranger.address]),
  );
  return { operations, fees };

  /**
   * The floor probe's call for `op` (Deposit: lever(a, b); Withdrawal, StopLoss: exit(a, b, to); KeeperDeleverage,
   * Ripcord: delever(a, b, to)) and its guarded build's `guarded(op, a, b, to)`, both from `signer` with the same
   * arguments, read in each run from the vault operation's logs and the state: `measure`'s floor and guarded runs.
   */
  function probeRuns(op: number, signer: typeof user, args: (vaultLogs: readonly Log[]) => Promise<[BigNumberish, BigNumberish, AddressLike]>) {
    const floorOp = async (logs: readonly Log[]) => {
      const [a, b, to] = await args(logs);
      const floorProbe = probeAs(signer);
      if (op === GUARDED_OP.Deposit) return floorProbe.lever(a, b);
      return op === GUARDED_OP.Withdrawal || op === GUARDED_OP.StopLoss ? floorProbe.exit(a, b, to) : floorProbe.delever(a, b, to);
    };
    const guardedOp = async (logs: readonly Log[]) => guardedAs(signer).guarded(op, ...(await args(logs)));
    return [floorOp, guardedOp] as const;
  }

  async function gasOf(tx: Promise<ContractTransactionResponse>) {
    const receipt = (await (await tx).wait())!;
    return { gas: Number(receipt.gasUsed), logs: receipt.logs };
  }

  /**
   * Runs `vaultOp`, reverts, runs `floorOp(logs of the vault op)`, reverts, and when given puts the probe's guarded
   * build in place, runs `guardedOp(logs of the vault op)`, reverts: all on the same state.
   */
  async function measure(
    vaultOp: () => Promise<ContractTransactionResponse>,
    floorOp: (vaultLogs: readonly Log[]) => Promise<ContractTransactionResponse>,
    guardedOp?: (vaultLogs: readonly Log[]) => Promise<ContractTransactionResponse>,
  ) {
    const snapshot = await ethers.provider.send("evm_snapshot", []);
    const v = await gasOf(vaultOp());
    await ethers.provider.send("evm_revert", [snapshot]);
    const again = await ethers.provider.send("evm_snapshot", []);
    const floor = await gasOf(floorOp(v.logs));
    await ethers.provider.send("evm_revert", [again]);
    let guardedFloor = 0;
    if (guardedOp) {
      const third = await ethers.provider.send("evm_snapshot", []);
      await installGuarded(ethers, probe.target, guardedBuild.runtime, keeper.address);
      guardedFloor = (await gasOf(guardedOp(v.logs))).gas;
      await ethers.provider.send("evm_revert", [third]);
    }
    return { gas: v.gas, floor: floor.gas, guardedFloor };
  }

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

/**
 * A live feed has a full window of past rounds, so the variance read costs here what it costs on a live network: every
 * feed gets `rounds` more rounds an hour apart (a heartbeat's cadence), flat (they add no variance), before the vault
 * opens. Without them the local feeds would have 0-4 past rounds at the measured states.
 */
export async function seedFeedHistory(market: Market, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await advanceTimeAllFeeds(market, 3600);
}

/** Moves the preset's reference price so that the pair's price (debt per collateral) is `multiple` x today's. */
async function movePairPrice(market: Market, preset: Preset, multiple: number): Promise<void> {
  const now = await referencePrice(market, preset.reference);
  await advanceTimeAllFeeds(market, 60);
  await setReferencePrice(market, preset.reference, preset.direction === 1 ? now * multiple : now / multiple);
}
