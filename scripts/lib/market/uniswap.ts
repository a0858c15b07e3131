/**
 * Uniswap V3 for the local market: factory and periphery from the npm artifacts, then the pools (WETH/USDC of
 * UNI_POSITIONS, WBTC/USDC, wstETH/WETH), each initialised at its feed price and filled by the lp.
 */
import { MaxUint256, ZeroAddress, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { addr, UNI_CORE, UNI_PERIPHERY, type ArtifactDeployer } from "./market-artifacts";
import {
  CONCENTRATED_WIDTH, FEES, UNI_POSITIONS, WBTC_USDC_POOL, WSTETH_WETH_POOL, type RangePosition,
} from "./market-config";
import { approveMax, mint, type MarketTokens } from "./market-tokens";
import { fullRange, priceToSqrtX96, tickRange, toPriceE8, toWad, type PairSpec } from "./price-math";

export interface Uniswap {
  uniswapFactory: Contract;
  swapRouter: Contract;
  quoter: Contract;
  positionManager: Contract;
}

export interface UniswapPools {
  uniPool500: Contract;
  uniPool3000: Contract;
  /** WBTC/USDC 0.3 %. */
  uniPoolWbtcUsdc: Contract;
  /** wstETH/WETH 0.01 %. */
  uniPoolWstethWeth: Contract;
  /** Uniswap orders tokens by address; price helpers need to know which one WETH is. */
  wethIsToken0: boolean;
}

/** What the lp's positions are sized and priced from. */
export interface LiquidityPlan {
  lp: HardhatEthersSigner;
  ethPrice: number;
  /** BTC/USD, default 60_000 in deployMarket. */
  btcPrice: number;
  /** wstETH/ETH, default 1.15 in deployMarket. */
  wstethRatio: number;
  /** Multiplier on every position size. */
  depth: number;
}

/** One pool to create: its tokens as a priced pair, its start price and the lp's positions in it. */
interface PoolPlan {
  base: Contract;
  quote: Contract;
  pair: PairSpec;
  fee: number;
  spacing: number;
  /** Start price as a number (quote per base) for the ranges, and scaled by 10**pair.priceDecimals for the pool. */
  price: number;
  scaledPrice: bigint;
  positions: RangePosition[];
}

/** Factory (with the 0.01 % tier enabled), SwapRouter, QuoterV2 and NonfungiblePositionManager, wrapping `weth` as WETH9. */
export async function deployUniswap(d: ArtifactDeployer, weth: Contract): Promise<Uniswap> {
  const uniswapFactory = await d.deploy(`${UNI_CORE}/UniswapV3Factory.sol/UniswapV3Factory`);
  // v3-core enables 500, 3000 and 10000 only; 100 / spacing 1 is what governance added on mainnet later.
  await (await uniswapFactory.enableFeeAmount(FEES.uniswapLowest, 1)).wait();
  const swapRouter = await d.deploy(`${UNI_PERIPHERY}/SwapRouter.sol/SwapRouter`, [addr(uniswapFactory), addr(weth)]);
  const quoter = await d.deploy(`${UNI_PERIPHERY}/lens/QuoterV2.sol/QuoterV2`, [addr(uniswapFactory), addr(weth)]);
  const positionManager = await d.deploy(
    `${UNI_PERIPHERY}/NonfungiblePositionManager.sol/NonfungiblePositionManager`,
    [addr(uniswapFactory), addr(weth), ZeroAddress], // token descriptor only matters for tokenURI
  );
  return { uniswapFactory, swapRouter, quoter, positionManager };
}

/** `base` priced in `quote`, token order from the addresses. */
export function pairSpec(base: Contract, quote: Contract, baseDecimals: number, quoteDecimals: number, priceDecimals: number): PairSpec {
  return { baseDecimals, quoteDecimals, priceDecimals, baseIsToken0: BigInt(addr(base)) < BigInt(addr(quote)) };
}

/** Creates every pool of the market at the plan's prices, each with its full-range and concentrated positions. */
export async function createUniswapPools(
  d: ArtifactDeployer,
  uniswap: Uniswap,
  tokens: MarketTokens,
  plan: LiquidityPlan,
): Promise<UniswapPools> {
  const { weth, usdc, wbtc, wsteth } = tokens;
  for (const token of [weth, usdc, wbtc, wsteth]) await approveMax(token, plan.lp, addr(uniswap.positionManager));
  const create = (p: PoolPlan) => createPool(d, uniswap, plan, p);

  const ethPair = pairSpec(weth, usdc, 18, 6, 8);
  const uniPools: Contract[] = [];
  for (const p of UNI_POSITIONS) {
    const positions: RangePosition[] = [
      { width: "full", baseAmount: p.fullRangeEth },
      { width: CONCENTRATED_WIDTH, baseAmount: p.concentratedEth },
    ];
    const eth = { base: weth, quote: usdc, pair: ethPair, price: plan.ethPrice, scaledPrice: toPriceE8(plan.ethPrice) };
    uniPools.push(await create({ ...eth, fee: p.fee, spacing: p.spacing, positions }));
  }
  const uniPoolWbtcUsdc = await create({
    base: wbtc, quote: usdc, pair: pairSpec(wbtc, usdc, 8, 6, 8),
    price: plan.btcPrice, scaledPrice: toPriceE8(plan.btcPrice), ...WBTC_USDC_POOL,
  });
  const uniPoolWstethWeth = await create({
    base: wsteth, quote: weth, pair: pairSpec(wsteth, weth, 18, 18, 18),
    price: plan.wstethRatio, scaledPrice: toWad(plan.wstethRatio), ...WSTETH_WETH_POOL,
  });
  return { uniPool500: uniPools[0], uniPool3000: uniPools[1], uniPoolWbtcUsdc, uniPoolWstethWeth, wethIsToken0: ethPair.baseIsToken0 };
}

async function createPool(d: ArtifactDeployer, uniswap: Uniswap, plan: LiquidityPlan, p: PoolPlan): Promise<Contract> {
  const { positionManager, uniswapFactory } = uniswap;
  const [token0, token1] = p.pair.baseIsToken0 ? [p.base, p.quote] : [p.quote, p.base];
  const sqrtPriceX96 = priceToSqrtX96(p.scaledPrice, p.pair);
  await (await positionManager.createAndInitializePoolIfNecessary(addr(token0), addr(token1), p.fee, sqrtPriceX96)).wait();
  const uniPool = d.at(`${UNI_CORE}/UniswapV3Pool.sol/UniswapV3Pool`, await uniswapFactory.getPool(addr(token0), addr(token1), p.fee));
  // Offer X base and 1.2 * X * price quote per position: the base side binds and the NPM pulls only the matching
  // quote. The lp is minted the whole pool's amounts at once (one mint per token, not per position).
  const positions = p.positions.map(({ width, baseAmount: size }) => ({
    ticks: width === "full" ? fullRange(p.spacing) : tickRange(p.price / width, p.price * width, p.spacing, p.pair),
    base: toUnits(size * plan.depth, p.pair.baseDecimals),
    quote: toUnits(size * plan.depth * p.price * 1.2, p.pair.quoteDecimals),
  }));
  await mint(p.base, plan.lp.address, positions.reduce((sum, x) => sum + x.base, 0n));
  await mint(p.quote, plan.lp.address, positions.reduce((sum, x) => sum + x.quote, 0n));
  for (const x of positions) await mintPosition(uniswap, plan.lp, p, x.base, x.quote, x.ticks);
  // Room for 200 observations: the outage path's 30-min TWAP (EmergencyModule) spans 150 blocks of 12 s.
  await (await uniPool.increaseObservationCardinalityNext(200)).wait();
  return uniPool;
}

/** A token amount as a float -> raw units (6 significant decimals, or whole tokens when that would lose precision). */
function toUnits(amount: number, decimals: number): bigint {
  const micro = Math.round(amount * 1e6);
  if (!Number.isSafeInteger(micro)) return BigInt(Math.round(amount)) * 10n ** BigInt(decimals);
  return (BigInt(micro) * 10n ** BigInt(decimals)) / 10n ** 6n;
}

/** The lp opens one position of `baseAmount` base and up to `quoteAmount` quote (raw units) over the tick range. */
async function mintPosition(
  uniswap: Uniswap,
  lp: HardhatEthersSigner,
  p: PoolPlan,
  baseAmount: bigint,
  quoteAmount: bigint,
  [tickLower, tickUpper]: [number, number],
) {
  const [token0, token1] = p.pair.baseIsToken0 ? [p.base, p.quote] : [p.quote, p.base];
  const [amount0Desired, amount1Desired] = p.pair.baseIsToken0 ? [baseAmount, quoteAmount] : [quoteAmount, baseAmount];
  const lpNpm = uniswap.positionManager.connect(lp) as Contract;
  await (
    await lpNpm.mint({
      token0: addr(token0), token1: addr(token1), fee: p.fee, tickLower, tickUpper,
      amount0Desired, amount1Desired, amount0Min: 0n, amount1Min: 0n, recipient: lp.address, deadline: MaxUint256,
    })
  ).wait();
}
