/**
 * The fork suite's world and moves, written once for any chain: only addresses from scripts/lib/deploy/addresses.ts, the
 * deployment code of deploy/deploy-vault.ts (scripts/lib/deploy/deploy.ts), the public ERC-4626 / keeper API of the vault,
 * and the keeper bot (scripts/lib/keeper/keeper.ts). Nothing here knows whether the chain under it is a fork of mainnet or
 * of the local market on a `hardhat node`.
 *
 * Prices move the way they do on a real chain, as far as a fork allows: real swaps on the vault's Uniswap pool, and
 * the Chainlink answers overridden (the feed's code replaced by MockAggregator's with `hardhat_setCode`) at the
 * addresses both the vault and Aave's own oracle read, so that Aave's health factor moves with the vault's.
 */
import hre from "hardhat";
import { expect } from "chai";
import { Contract, MaxUint256, ZeroAddress, parseEther } from "ethers";
import { setBalance, setCode, setStorageAt, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ILeveredVault } from "../../typechain-types";
import { chainDefaults, missingFields, type OracleAddresses } from "../../scripts/lib/deploy/addresses";
import { createVault, deployStack, type Stack } from "../../scripts/lib/deploy/deploy";
import { keeperPass, type KeeperPassResult } from "../../scripts/lib/keeper/keeper";
import { deployMarket } from "../../scripts/lib/market/market";
import { priceE8ToSqrtX96, sqrtX96ToPriceE8 } from "../../scripts/lib/market/price-math";
import { defaultSettings, localMarketAddresses, type MarketAddresses, type VaultSettings } from "../../scripts/lib/deploy/vault";
import { units } from "../../scripts/lib/util/format";
import type { ForkTarget } from "./targets";

const WAD = 10n ** 18n;
const { ethers } = hre;

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function approve(address, uint256) returns (bool)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  "function deposit() payable",
];
const AAVE_POOL_ABI = [
  "function ADDRESSES_PROVIDER() view returns (address)",
  "function FLASHLOAN_PREMIUM_TOTAL() view returns (uint128)",
  "function FLASHLOAN_PREMIUM_TO_PROTOCOL() view returns (uint128)",
  "function getUserAccountData(address) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)",
];
const ADDRESSES_PROVIDER_ABI = [
  "function getPriceOracle() view returns (address)",
  "function getPoolDataProvider() view returns (address)",
];
const AAVE_ORACLE_ABI = [
  "function getAssetPrice(address) view returns (uint256)",
  "function getSourceOfAsset(address) view returns (address)",
  "function BASE_CURRENCY_UNIT() view returns (uint256)",
];
const DATA_PROVIDER_ABI = [
  "function getReserveConfigurationData(address) view returns (uint256 decimals, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus, uint256 reserveFactor, bool usageAsCollateralEnabled, bool borrowingEnabled, bool stableBorrowRateEnabled, bool isActive, bool isFrozen)",
  "function getReserveCaps(address) view returns (uint256 borrowCap, uint256 supplyCap)",
  "function getReserveTokensAddresses(address) view returns (address aTokenAddress, address stableDebtTokenAddress, address variableDebtTokenAddress)",
];
const UNI_FACTORY_ABI = ["function getPool(address, address, uint24) view returns (address)"];
const UNI_POOL_ABI = [
  "function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16, uint16, uint16, uint8, bool)",
  "function liquidity() view returns (uint128)",
];
const ROUTER_ABI = [
  "function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 deadline, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96)) payable returns (uint256)",
];
const FEED_ABI = [
  "function decimals() view returns (uint8)",
  "function description() view returns (string)",
  "function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)",
  "function setAnswer(int256)",
];

/** Uniswap V3 fee tiers whose WETH/USDC pools the report lists. */
const FEE_TIERS = [100, 500, 3000, 10_000];

export interface ForkWorld {
  target: ForkTarget;
  markets: MarketAddresses;
  oracle: OracleAddresses;
  weth: Contract;
  usdc: Contract;
  aavePool: Contract;
  aaveOracle: Contract;
  dataProvider: Contract;
  aToken: Contract;
  debtToken: Contract;
  uniPool: Contract;
  router: Contract;
  wethIsToken0: boolean;
  /** Liquidation threshold of the collateral on this market, bps. */
  liquidationThresholdBps: bigint;
  feeds: FeedOverrides;
  stack: Stack;
  vault: ILeveredVault;
  settings: VaultSettings;
  owner: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  arbitrageur: HardhatEthersSigner;
  /** ETH/USD where the suite started (the pool's spot at the fork block), 8 decimals. */
  startPriceE8: bigint;
}

const at = (address: string, abi: string[], runner: HardhatEthersSigner | typeof ethers.provider = ethers.provider) =>
  new Contract(address, abi, runner);

// ---------------------------------------------------------------------------------------------------------------
// Chainlink answers overridden at the addresses the vault and Aave read.

/**
 * The collateral and debt feeds under our control. Every address in a set gets the same answer: the vault's feed
 * and Aave's source for that asset (the same address when the deployment used the address book's values).
 */
export class FeedOverrides {
  private constructor(
    readonly collateralFeeds: string[],
    readonly debtFeeds: string[],
    private collateralAnswer: bigint,
    private debtAnswer: bigint,
  ) {}

  /**
   * Replaces the code of every feed with MockAggregator's (built with the feed's decimals) and publishes the given
   * answers (feed decimals, 8 for USD feeds). The description is kept (slot 0), the round counter restarts.
   */
  static async install(
    owner: HardhatEthersSigner,
    collateralFeeds: string[],
    debtFeeds: string[],
    collateralAnswer: bigint,
    debtAnswer: bigint,
  ): Promise<FeedOverrides> {
    const factory = await ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator", owner);
    for (const address of [...new Set([...collateralFeeds, ...debtFeeds])]) {
      const feed = at(address, FEED_ABI);
      const decimals = Number(await feed.decimals());
      const description = String(await feed.description().catch(() => "feed")).slice(0, 24);
      const template = await factory.deploy(decimals, `${description} (fork)`, 1n);
      await template.waitForDeployment();
      await setCode(address, await ethers.provider.getCode(template.target));
      await setStorageAt(address, 0, await ethers.provider.getStorage(template.target, 0)); // description
      await setStorageAt(address, 1, 0); // latestRound
    }
    const overrides = new FeedOverrides(collateralFeeds, debtFeeds, collateralAnswer, debtAnswer);
    await overrides.publish(owner);
    return overrides;
  }

  /** Publishes the current answers again at the current block time (so that no feed goes stale). */
  async publish(signer: HardhatEthersSigner, collateralAnswer = this.collateralAnswer, debtAnswer = this.debtAnswer) {
    this.collateralAnswer = collateralAnswer;
    this.debtAnswer = debtAnswer;
    for (const address of new Set(this.collateralFeeds)) await (await at(address, FEED_ABI, signer).setAnswer(collateralAnswer)).wait();
    for (const address of new Set(this.debtFeeds)) await (await at(address, FEED_ABI, signer).setAnswer(debtAnswer)).wait();
  }

  get answers() {
    return { collateral: this.collateralAnswer, debt: this.debtAnswer };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Setup

/** Refuses to run on addresses without code at the fork block (names them). */
async function expectCode(named: Record<string, string>, target: ForkTarget) {
  const missing: string[] = [];
  for (const [name, address] of Object.entries(named)) {
    if (address !== ZeroAddress && (await ethers.provider.getCode(address)) === "0x") missing.push(`${name} ${address}`);
  }
  if (missing.length) {
    throw new Error(
      `${target.name} at block ${target.blockNumber}: no code at ${missing.join(", ")}` +
        (target.rehearsal ? "" : ` (the address book is newer than the block: set FORK_BLOCK later)`),
    );
  }
}

/**
 * Resolves the addresses exactly as deploy/deploy-vault.ts does (address book + tables, chainDefaults), overrides
 * the feeds at the pool's spot price, deploys the stack and a 3x vault through the factory with one keeper, and funds
 * two depositors and an arbitrageur with native ETH wrapped into the collateral (WETH9 `deposit`, on any chain).
 */
export async function setupForkWorld(target: ForkTarget): Promise<ForkWorld> {
  const book = chainDefaults(target.chainId);
  const missing = missingFields(book.markets, book.oracle);
  if (missing.length) throw new Error(`chain ${target.chainId}: the address book has no ${missing.join(", ")}`);
  const markets = book.markets as MarketAddresses;
  const oracle = book.oracle as OracleAddresses;
  const { eModeCategory: _category, ...contracts } = markets;
  await expectCode({ ...contracts, collateralFeed: oracle.collateralFeed, debtFeed: oracle.debtFeed, sequencerFeed: oracle.sequencerFeed }, target);

  // Accounts the source chain's own deployment did not use (the rehearsal's market uses the first four).
  const signers = await ethers.getSigners();
  const [owner, keeper, alice, bob, stranger, arbitrageur] = signers.slice(10, 16);
  for (const s of [owner, keeper, alice, bob, stranger]) await setBalance(s.address, parseEther("10000"));
  await setBalance(arbitrageur.address, parseEther("2000000"));

  const weth = at(markets.collateralAsset, ERC20_ABI);
  const usdc = at(markets.debtAsset, ERC20_ABI);
  const aavePool = at(markets.aavePool, AAVE_POOL_ABI);
  const provider = at(await aavePool.ADDRESSES_PROVIDER(), ADDRESSES_PROVIDER_ABI);
  const aaveOracle = at(await provider.getPriceOracle(), AAVE_ORACLE_ABI);
  const dataProvider = at(await provider.getPoolDataProvider(), DATA_PROVIDER_ABI);
  const wethTokens = await dataProvider.getReserveTokensAddresses(markets.collateralAsset);
  const usdcTokens = await dataProvider.getReserveTokensAddresses(markets.debtAsset);
  const settingsFee = defaultSettings().swapFee;
  const uniPoolAddress: string = await at(markets.uniswapFactory, UNI_FACTORY_ABI).getPool(weth.target, usdc.target, settingsFee);
  if (uniPoolAddress === ZeroAddress) throw new Error(`no Uniswap V3 WETH/USDC pool at fee ${settingsFee} on ${target.name}`);
  const uniPool = at(uniPoolAddress, UNI_POOL_ABI);
  const wethIsToken0 = BigInt(markets.collateralAsset) < BigInt(markets.debtAsset);
  const { liquidationThreshold } = await dataProvider.getReserveConfigurationData(markets.collateralAsset);

  // Both feeds answer what the DEX says at the fork block (USDC at $1): the suite starts with oracle = spot.
  const startPriceE8 = sqrtX96ToPriceE8((await uniPool.slot0()).sqrtPriceX96, wethIsToken0);
  const collateralFeeds = [oracle.collateralFeed, await aaveOracle.getSourceOfAsset(markets.collateralAsset)];
  const debtFeeds = [oracle.debtFeed, await aaveOracle.getSourceOfAsset(markets.debtAsset)];
  const feeds = await FeedOverrides.install(owner, collateralFeeds, debtFeeds, startPriceE8, 10n ** 8n);

  // The stack and the vault, as deploy/deploy-vault.ts deploys them. A narrow band and a health floor just under
  // the health factor at 3x (from this market's liquidation threshold) keep every trigger within a ~20% fall, inside
  // the rehearsal market's concentrated liquidity.
  const p0 = Number(startPriceE8) / 1e8;
  const healthAt3x = (Number(liquidationThreshold) / 10_000) * 1.5;
  const minHealthFactor = Math.floor((healthAt3x / 1.03) * 100) / 100;
  const settings: Partial<VaultSettings> = {
    name: "Fork suite 3x",
    symbol: "fork3x",
    targetLeverage: 3,
    minLeverage: 2.85,
    maxLeverage: 3.15,
    minHealthFactor,
    criticalHealthFactor: minHealthFactor - 0.05,
    stopLossPrice: Math.round(p0 * 0.8),
    // A few keeper chunks for the stop-loss of ~15 WETH at 3x.
    maxTradeSize: Math.round(p0 * 4),
  };
  const stack = await deployStack(ethers, { markets, oracle, owner });
  const created = await createVault(ethers, stack.factory, owner, { settings, keepers: [keeper.address], debtDecimals: 6 });

  for (const user of [alice, bob]) {
    await (await (weth.connect(user) as Contract).deposit({ value: parseEther("100") })).wait();
    await (await (weth.connect(user) as Contract).approve(created.address, MaxUint256)).wait();
  }
  await (await (weth.connect(arbitrageur) as Contract).deposit({ value: parseEther("1500000") })).wait();
  const router = at(markets.swapRouter, ROUTER_ABI, arbitrageur);
  await (await (weth.connect(arbitrageur) as Contract).approve(router.target, MaxUint256)).wait();

  return {
    target, markets, oracle, weth, usdc, aavePool, aaveOracle, dataProvider,
    aToken: at(wethTokens.aTokenAddress, ERC20_ABI),
    debtToken: at(usdcTokens.variableDebtTokenAddress, ERC20_ABI),
    uniPool, router, wethIsToken0,
    liquidationThresholdBps: liquidationThreshold,
    feeds, stack,
    vault: created.vault,
    settings: created.settings,
    owner, keeper, alice, bob, stranger, arbitrageur,
    startPriceE8,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Moves

/** ETH/USD of the vault's pool, 8 decimals. */
export async function poolPriceE8(world: ForkWorld): Promise<bigint> {
  return sqrtX96ToPriceE8((await world.uniPool.slot0()).sqrtPriceX96, world.wethIsToken0);
}

/**
 * Sells WETH into the vault's pool until its price is `priceE8` (only falls: the arbitrageur holds WETH), in steps of
 * at most 3% so that no swap crosses more initialized ticks than one transaction's gas allows on a deep pool.
 */
export async function swapPoolDownTo(world: ForkWorld, priceE8: bigint): Promise<void> {
  const { router, weth, usdc, arbitrageur, wethIsToken0 } = world;
  let current = await poolPriceE8(world);
  if (priceE8 > current) throw new Error(`the suite only moves prices down (pool ${current}, asked ${priceE8})`);
  while (current > priceE8) {
    const step = (current * 97n) / 100n > priceE8 ? (current * 97n) / 100n : priceE8;
    await (
      await router.exactInputSingle({
        tokenIn: weth.target, tokenOut: usdc.target, fee: world.settings.swapFee, recipient: arbitrageur.address,
        deadline: MaxUint256, amountIn: await weth.balanceOf(arbitrageur.address), amountOutMinimum: 0n,
        sqrtPriceLimitX96: priceE8ToSqrtX96(step, wethIsToken0),
      })
    ).wait();
    const reached = await poolPriceE8(world);
    if (reached > step + 1n) throw new Error(`pool stopped at ${reached}, step ${step}: arbitrageur out of WETH?`);
    current = reached;
  }
}

/**
 * The market moves to `priceE8` (ETH/USD, 8 decimals) `afterSeconds` later: real swaps on the pool, then the
 * Chainlink answers overridden (and re-stamped). Asserts that the vault and Aave's oracle both see the new price.
 */
export async function moveMarket(world: ForkWorld, priceE8: bigint, afterSeconds = 0): Promise<void> {
  if (afterSeconds > 0) await time.increase(afterSeconds);
  await swapPoolDownTo(world, priceE8);
  await world.feeds.publish(world.owner, priceE8);
  await expectPriceSeen(world);
}

/** The overridden answers reached both readers: Aave's oracle (both assets) and the vault's position price. */
export async function expectPriceSeen(world: ForkWorld): Promise<void> {
  const { collateral, debt } = world.feeds.answers;
  const unit: bigint = await world.aaveOracle.BASE_CURRENCY_UNIT();
  // The feeds and Aave's base currency both use 8 decimals (USD) on the markets this suite forks.
  expect(unit, "Aave base currency unit").to.equal(10n ** 8n);
  expect(await world.aaveOracle.getAssetPrice(world.markets.collateralAsset), "Aave oracle, collateral").to.equal(collateral);
  expect(await world.aaveOracle.getAssetPrice(world.markets.debtAsset), "Aave oracle, debt").to.equal(debt);
  const { price } = await world.vault.position();
  const expected = (collateral * WAD) / debt;
  expect(price, "vault price (wad debt per collateral)").to.be.closeTo(expected, expected / 10n ** 12n + 1n);
}

/** Wrapped keeper pass (the bot's own code) run by `signer`, logging into `log`. */
export async function keeperRun(world: ForkWorld, signer: HardhatEthersSigner, log: string[]): Promise<KeeperPassResult> {
  return keeperPass(ethers, world.stack.registry.target as string, signer, {
    lens: world.stack.lens.target as string,
    maxActionsPerVault: 20,
    log: (line) => log.push(line),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Where the price must go for a given leverage or health factor (from the position and the market's LT)

/** ETH/USD (8 decimals) at which the current position has leverage `leverage` (wad). */
export async function priceForLeverage(world: ForkWorld, leverage: bigint): Promise<bigint> {
  const { collateral, debt } = await world.vault.position();
  // L = cP / (cP - d)  =>  P = L d / ((L - 1) c); c in 1e18 WETH, d in 1e6 USDC, P in 1e8.
  return (leverage * debt * 10n ** 20n) / ((leverage - WAD) * collateral);
}

/** ETH/USD (8 decimals) at which the current position has health factor `healthFactor` (wad). */
export async function priceForHealthFactor(world: ForkWorld, healthFactor: bigint): Promise<bigint> {
  const { collateral, debt } = await world.vault.position();
  // HF = c P LT / d  =>  P = HF d / (c LT); LT in bps.
  return (healthFactor * debt * 10n ** 6n) / (collateral * world.liquidationThresholdBps);
}

// ---------------------------------------------------------------------------------------------------------------
// Checks against the protocol

/**
 * The vault's own numbers against Aave's view of the same account: collateral = aToken balance, debt = variable
 * debt balance, values and health factor as `getUserAccountData` reports them (Aave base currency, 8 decimals).
 */
export async function expectMatchesAave(world: ForkWorld, label: string): Promise<void> {
  const vault = world.vault.target as string;
  const p = await world.vault.position();
  const account = await world.aavePool.getUserAccountData(vault);
  expect(p.collateral, `${label}: collateral = aToken balance`).to.equal(await world.aToken.balanceOf(vault));
  expect(p.debt, `${label}: debt = variable debt balance`).to.be.closeTo(await world.debtToken.balanceOf(vault), 1n);
  const collateralUsdWad = (p.collateral * world.feeds.answers.collateral) / 10n ** 8n;
  const tolerance = (x: bigint) => x / 10n ** 6n + 10n ** 10n; // 1 ppm + one unit of Aave's 8-decimal base
  expect(account.totalCollateralBase * 10n ** 10n, `${label}: Aave collateral value`).to.be.closeTo(collateralUsdWad, tolerance(collateralUsdWad));
  expect(account.totalDebtBase * 10n ** 10n, `${label}: Aave debt value`).to.be.closeTo(p.debtValue, tolerance(p.debtValue));
  if (p.debt > 0n) {
    expect(account.healthFactor, `${label}: Aave health factor`).to.be.closeTo(p.healthFactor, p.healthFactor / 10_000n);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Protocol parameters, found vs the local market's

type Params = Record<string, string>;

const bps = (x: bigint) => `${Number(x) / 100}%`;

/** What a reader needs to judge how far a market is from another: reserves, flash premium, pools, feeds. */
export async function readProtocolParams(markets: MarketAddresses, feeds: { collateral: string; debt: string }): Promise<Params> {
  const params: Params = {};
  const aavePool = at(markets.aavePool, AAVE_POOL_ABI);
  const provider = at(await aavePool.ADDRESSES_PROVIDER(), ADDRESSES_PROVIDER_ABI);
  const dataProvider = at(await provider.getPoolDataProvider(), DATA_PROVIDER_ABI);
  for (const [name, asset] of [["WETH", markets.collateralAsset], ["USDC", markets.debtAsset]] as const) {
    const c = await dataProvider.getReserveConfigurationData(asset);
    const caps = await dataProvider.getReserveCaps(asset);
    const tokens = await dataProvider.getReserveTokensAddresses(asset);
    const token = at(asset, ERC20_ABI);
    const decimals = Number(await token.decimals());
    params[`${name} LTV / liq. threshold / bonus`] = `${bps(c.ltv)} / ${bps(c.liquidationThreshold)} / ${bps(c.liquidationBonus - 10_000n)}`;
    params[`${name} reserve factor`] = bps(c.reserveFactor);
    params[`${name} supply / borrow cap`] = `${caps.supplyCap === 0n ? "none" : units(caps.supplyCap, 0)} / ${caps.borrowCap === 0n ? "none" : units(caps.borrowCap, 0)}`;
    params[`${name} liquidity on Aave`] = units(await token.balanceOf(tokens.aTokenAddress), decimals, 0);
  }
  params["flash premium total / to protocol"] = `${bps(await aavePool.FLASHLOAN_PREMIUM_TOTAL())} / ${bps(await aavePool.FLASHLOAN_PREMIUM_TO_PROTOCOL())}`;
  const wethIsToken0 = BigInt(markets.collateralAsset) < BigInt(markets.debtAsset);
  const factory = at(markets.uniswapFactory, UNI_FACTORY_ABI);
  for (const fee of FEE_TIERS) {
    const address: string = await factory.getPool(markets.collateralAsset, markets.debtAsset, fee);
    const key = `Uniswap WETH/USDC ${fee / 10_000}%`;
    if (address === ZeroAddress) {
      params[key] = "no pool";
      continue;
    }
    const pool = at(address, UNI_POOL_ABI);
    const [{ sqrtPriceX96 }, liquidity] = await Promise.all([pool.slot0(), pool.liquidity()]);
    // WETH sold to move the price down 1% inside the active range: L * (1/sqrt(P') - 1/sqrt(P)) or L * (sqrt(P') - sqrt(P)).
    const s = Number(sqrtPriceX96) / 2 ** 96;
    const l = Number(liquidity);
    const wethFor1Pct = (wethIsToken0 ? l * (1 / (s * Math.sqrt(0.99)) - 1 / s) : l * (s * Math.sqrt(1 / 0.99) - s)) / 1e18;
    const spot = Number(sqrtX96ToPriceE8(sqrtPriceX96, wethIsToken0)) / 1e8;
    params[key] = `spot $${spot.toFixed(2)}, ~${wethFor1Pct.toFixed(0)} WETH per -1%`;
  }
  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  for (const [name, address] of [["ETH/USD", feeds.collateral], ["USDC/USD", feeds.debt]] as const) {
    const feed = at(address, FEED_ABI);
    const [, answer, , updatedAt] = await feed.latestRoundData();
    const description = await feed.description().catch(() => "?");
    params[`${name} feed (Aave's source)`] = `${description}: ${units(answer, Number(await feed.decimals()), 4)}, ${now - Number(updatedAt)} s old`;
  }
  return params;
}

/** The local market's parameters, read the same way from a copy deployed on the fork and then reverted. */
export async function readLocalMarketParams(): Promise<Params> {
  const snapshot = await takeSnapshot();
  try {
    const market = await deployMarket(ethers);
    return await readProtocolParams(localMarketAddresses(market), {
      collateral: market.ethUsdFeed.target as string,
      debt: market.usdcUsdFeed.target as string,
    });
  } finally {
    await snapshot.restore();
  }
}
