/**
 * Uniswap V3 for the local market: factory and periphery from the npm artifacts, then the WETH/USDC pools of
 * UNI_POSITIONS, initialised at the oracle price and filled by the lp.
 */
import { MaxUint256, ZeroAddress, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { addr, UNI_CORE, UNI_PERIPHERY, type ArtifactDeployer } from "./market-artifacts";
import { CONCENTRATED_WIDTH, UNI_POSITIONS, type UniPosition } from "./market-config";
import { approveMax, mint, type MarketTokens } from "./market-tokens";
import { fullRange, priceE8ToSqrtX96, tickRange, toPriceE8 } from "./price-math";

export interface Uniswap {
  uniswapFactory: Contract;
  swapRouter: Contract;
  quoter: Contract;
  positionManager: Contract;
}

export interface UniswapPools {
  uniPool500: Contract;
  uniPool3000: Contract;
  /** Uniswap orders tokens by address; price helpers need to know which one WETH is. */
  wethIsToken0: boolean;
}

/** What the lp's positions are sized and priced from. */
export interface LiquidityPlan {
  lp: HardhatEthersSigner;
  ethPrice: number;
  /** Multiplier on every position of UNI_POSITIONS. */
  depth: number;
}

/** Everything one position mint needs, fixed for the whole deployment. */
interface PoolContext extends LiquidityPlan {
  d: ArtifactDeployer;
  uniswap: Uniswap;
  tokens: MarketTokens;
  wethIsToken0: boolean;
  token0: Contract;
  token1: Contract;
}

/** Factory, SwapRouter, QuoterV2 and NonfungiblePositionManager, all wrapping `weth` as WETH9. */
export async function deployUniswap(d: ArtifactDeployer, weth: Contract): Promise<Uniswap> {
  const uniswapFactory = await d.deploy(`${UNI_CORE}/UniswapV3Factory.sol/UniswapV3Factory`);
  const swapRouter = await d.deploy(`${UNI_PERIPHERY}/SwapRouter.sol/SwapRouter`, [addr(uniswapFactory), addr(weth)]);
  const quoter = await d.deploy(`${UNI_PERIPHERY}/lens/QuoterV2.sol/QuoterV2`, [addr(uniswapFactory), addr(weth)]);
  const positionManager = await d.deploy(
    `${UNI_PERIPHERY}/NonfungiblePositionManager.sol/NonfungiblePositionManager`,
    [addr(uniswapFactory), addr(weth), ZeroAddress], // token descriptor only matters for tokenURI
  );
  return { uniswapFactory, swapRouter, quoter, positionManager };
}

/** Creates the WETH/USDC pools of UNI_POSITIONS at `plan.ethPrice`, each with a full-range and a concentrated position. */
export async function createUniswapPools(
  d: ArtifactDeployer,
  uniswap: Uniswap,
  tokens: MarketTokens,
  plan: LiquidityPlan,
): Promise<UniswapPools> {
  const { weth, usdc } = tokens;
  const wethIsToken0 = BigInt(addr(weth)) < BigInt(addr(usdc));
  const [token0, token1] = wethIsToken0 ? [weth, usdc] : [usdc, weth];
  const ctx: PoolContext = { ...plan, d, uniswap, tokens, wethIsToken0, token0, token1 };
  for (const token of [weth, usdc]) await approveMax(token, plan.lp, addr(uniswap.positionManager));
  const uniPools: Contract[] = [];
  for (const position of UNI_POSITIONS) uniPools.push(await createPool(ctx, position));
  return { uniPool500: uniPools[0], uniPool3000: uniPools[1], wethIsToken0 };
}

async function createPool(ctx: PoolContext, p: UniPosition): Promise<Contract> {
  const { d, uniswap, tokens, token0, token1, ethPrice, wethIsToken0 } = ctx;
  const sqrtPriceX96 = priceE8ToSqrtX96(toPriceE8(ethPrice), wethIsToken0);
  const { positionManager, uniswapFactory } = uniswap;
  await (await positionManager.createAndInitializePoolIfNecessary(addr(token0), addr(token1), p.fee, sqrtPriceX96)).wait();
  const poolAddress = await uniswapFactory.getPool(addr(tokens.weth), addr(tokens.usdc), p.fee);
  const uniPool = d.at(`${UNI_CORE}/UniswapV3Pool.sol/UniswapV3Pool`, poolAddress);
  const ranges: [number, [number, number]][] = [
    [p.fullRangeEth, fullRange(p.spacing)],
    [p.concentratedEth, tickRange(ethPrice / CONCENTRATED_WIDTH, ethPrice * CONCENTRATED_WIDTH, p.spacing, wethIsToken0)],
  ];
  for (const [eth, ticks] of ranges) await mintPosition(ctx, p.fee, eth, ticks);
  // Room for 100 observations so TWAP reads over recent blocks work.
  await (await uniPool.increaseObservationCardinalityNext(100)).wait();
  return uniPool;
}

/** Offers X ETH and 1.2 * X * price USDC: the ETH side binds and the NPM pulls only the matching USDC. */
async function mintPosition(ctx: PoolContext, fee: number, eth: number, [tickLower, tickUpper]: [number, number]) {
  const { lp, depth, ethPrice, wethIsToken0, tokens, token0, token1 } = ctx;
  const wethAmount = BigInt(Math.round(eth * depth * 1e6)) * 10n ** 12n;
  const usdcAmount = BigInt(Math.round(eth * depth * ethPrice * 1.2)) * 10n ** 6n;
  await mint(tokens.weth, lp.address, wethAmount);
  await mint(tokens.usdc, lp.address, usdcAmount);
  const [amount0Desired, amount1Desired] = wethIsToken0 ? [wethAmount, usdcAmount] : [usdcAmount, wethAmount];
  const lpNpm = ctx.uniswap.positionManager.connect(lp) as Contract;
  await (
    await lpNpm.mint({
      token0: addr(token0), token1: addr(token1), fee, tickLower, tickUpper,
      amount0Desired, amount1Desired, amount0Min: 0n, amount1Min: 0n, recipient: lp.address, deadline: MaxUint256,
    })
  ).wait();
}
